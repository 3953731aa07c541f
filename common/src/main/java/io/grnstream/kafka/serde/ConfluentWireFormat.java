package io.grnstream.kafka.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent framing: magic byte 0, the writer schema id as a big-endian int32, then the plain
 * Avro binary encoding of the value.
 */
public final class ConfluentWireFormat {
    public static final byte MAGIC_BYTE = 0;
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {
    }

    /** The schema id of framed bytes, or an {@link UndecodableRecordException} if they are not framed. */
    public static int schemaId(byte[] framed) {
        if (framed.length < HEADER_LENGTH) {
            throw new UndecodableRecordException("record of " + framed.length
                    + " bytes is shorter than the 5-byte Confluent header");
        }
        if (framed[0] != MAGIC_BYTE) {
            throw new UndecodableRecordException(String.format(
                    "unknown magic byte 0x%02x (expected 0x00, the Confluent wire format)", framed[0] & 0xff));
        }
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    static void writeHeader(ByteBuffer out, int schemaId) {
        out.put(MAGIC_BYTE).putInt(schemaId);
    }
}
