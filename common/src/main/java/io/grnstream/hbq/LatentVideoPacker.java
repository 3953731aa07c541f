package io.grnstream.hbq;

import io.grnstream.avro.BitLayout;
import io.grnstream.avro.LatentGeometry;
import io.grnstream.avro.LatentVideo;
import io.grnstream.geometry.VideoGeometry;
import java.nio.ByteBuffer;

/**
 * The bits of a {@link LatentVideo} record. Wire layout ({@link BitLayout#TOKEN_RASTER_ROUND_MAJOR_MSB_FIRST}):
 * tokens in (t, h, w) raster order, t slowest; within a token M x C bits in round-major order
 * (bit j = m * C + c, round 0 the most significant HBQ bit); the flat bit sequence packed eight to
 * a byte, first bit in the byte's most significant position; the last byte zero-padded. Length is
 * ceil(T' h w M C / 8) bytes.
 */
public final class LatentVideoPacker {
    private LatentVideoPacker() {
    }

    public static LatentGeometry toAvro(VideoGeometry g) {
        return LatentGeometry.newBuilder()
                .setChannels(g.channels())
                .setLatentFrames(g.latentFrames())
                .setLatentHeight(g.latentHeight())
                .setLatentWidth(g.latentWidth())
                .setFrames(g.frames())
                .setFps(g.fps())
                .setSpatialStride(g.spatialStride())
                .setTemporalStride(g.temporalStride())
                .build();
    }

    /** The record's geometry, or {@link MalformedLatentException} when it is inconsistent. */
    public static VideoGeometry fromAvro(LatentGeometry g) {
        try {
            return new VideoGeometry(g.getFrames(), g.getFps(), g.getLatentFrames(), g.getLatentHeight(),
                    g.getLatentWidth(), g.getChannels(), g.getSpatialStride(), g.getTemporalStride());
        } catch (IllegalArgumentException e) {
            throw new MalformedLatentException("latent geometry is inconsistent: " + e.getMessage());
        }
    }

    /** Packs bit form (0/1 bytes, [N][M*C]) into the record's {@code packedBits}. */
    public static ByteBuffer packBits(VideoGeometry geometry, int rounds, byte[] bits) {
        return ByteBuffer.wrap(new HbqCodec(geometry.channels(), rounds).pack(bits, geometry.tokens()));
    }

    /** The record's bits in bit form (0/1 bytes, [N][M*C]), after checking layout and length. */
    public static byte[] unpackBits(LatentVideo record) {
        VideoGeometry geometry = fromAvro(record.getGeometry());
        HbqCodec codec = codecFor(record, geometry);
        return codec.unpack(packedBytes(record, codec, geometry), geometry.tokens());
    }

    /** The record dequantized to the VAE decoder's input, channel-major [C, T', h, w]. */
    public static float[] dequantize(LatentVideo record) {
        VideoGeometry geometry = fromAvro(record.getGeometry());
        HbqCodec codec = codecFor(record, geometry);
        float[] latent = new float[geometry.tokens() * geometry.channels()];
        codec.unpackAndDequantize(packedBytes(record, codec, geometry), geometry.tokens(), latent);
        return latent;
    }

    private static HbqCodec codecFor(LatentVideo record, VideoGeometry geometry) {
        if (record.getBitLayout() != BitLayout.TOKEN_RASTER_ROUND_MAJOR_MSB_FIRST) {
            throw new MalformedLatentException("unsupported bit layout " + record.getBitLayout());
        }
        int rounds = record.getHbqRounds();
        if (rounds < Hbq.MIN_ROUNDS || rounds > Hbq.MAX_ROUNDS) {
            throw new MalformedLatentException("HBQ rounds must be in [1, 8], got " + rounds);
        }
        if (record.getBitsPerToken() != rounds * geometry.channels()) {
            throw new MalformedLatentException("bitsPerToken " + record.getBitsPerToken() + " != rounds " + rounds
                    + " x channels " + geometry.channels());
        }
        return new HbqCodec(geometry.channels(), rounds);
    }

    private static byte[] packedBytes(LatentVideo record, HbqCodec codec, VideoGeometry geometry) {
        ByteBuffer buffer = record.getPackedBits().duplicate();
        int expected = codec.packedBytes(geometry.tokens());
        if (buffer.remaining() != expected) {
            throw new MalformedLatentException("packedBits holds " + buffer.remaining() + " bytes; geometry "
                    + geometry + " with " + codec.rounds() + " rounds needs " + expected);
        }
        byte[] bytes = new byte[expected];
        buffer.get(bytes);
        return bytes;
    }
}
