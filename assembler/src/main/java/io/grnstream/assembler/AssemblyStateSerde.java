package io.grnstream.assembler;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Binary form of {@link AssemblyState} in the store and its changelog; a leading version byte allows change. */
final class AssemblyStateSerde implements Serde<AssemblyState> {
    private static final byte VERSION = 1;

    @Override
    public Serializer<AssemblyState> serializer() {
        return (topic, state) -> state == null ? null : write(state);
    }

    @Override
    public Deserializer<AssemblyState> deserializer() {
        return (topic, bytes) -> bytes == null ? null : read(bytes);
    }

    static byte[] write(AssemblyState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeInt(s.metadata().length);
            out.write(s.metadata());
            out.writeInt(s.totalFrames());
            out.writeInt(s.chunks().size());
            for (AssemblyState.ChunkRef c : s.chunks()) {
                out.writeInt(c.first());
                out.writeInt(c.last());
                out.writeUTF(c.uri());
                out.writeLong(c.sizeBytes());
                out.writeUTF(c.sha256());
            }
            out.writeLong(s.firstSeenMs());
            out.writeLong(s.lastSeenMs());
            out.writeByte(s.status().ordinal());
            out.writeLong(s.closedAtMs());
            out.writeBoolean(s.blobsCleaned());
            out.writeInt(s.lastPartition());
            out.writeLong(s.lastOffset());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static AssemblyState read(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new SerializationException("assembly state version " + version + " is not known");
            }
            byte[] metadata = in.readNBytes(in.readInt());
            int totalFrames = in.readInt();
            int count = in.readInt();
            List<AssemblyState.ChunkRef> chunks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                chunks.add(new AssemblyState.ChunkRef(in.readInt(), in.readInt(), in.readUTF(), in.readLong(), in.readUTF()));
            }
            return new AssemblyState(metadata, totalFrames, chunks, in.readLong(), in.readLong(),
                    AssemblyState.Status.values()[in.readByte()], in.readLong(), in.readBoolean(), in.readInt(),
                    in.readLong());
        } catch (IOException e) {
            throw new SerializationException("corrupt assembly state", e);
        }
    }
}
