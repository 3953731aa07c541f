package io.grnstream.hbq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.LatentVideo;
import io.grnstream.geometry.VideoGeometry;
import io.grnstream.kafka.SampleRecords;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatentVideoPackerTest {
    private final VideoGeometry geometry = new VideoGeometry(17, 8, 5, 8, 8, 8, 8, 4);

    private byte[] randomBits() {
        SplittableRandom random = new SplittableRandom(9);
        byte[] bits = new byte[geometry.tokens() * 32];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) random.nextInt(2);
        }
        return bits;
    }

    private LatentVideo record(byte[] bits) {
        return LatentVideo.newBuilder(SampleRecords.latent())
                .setGeometry(LatentVideoPacker.toAvro(geometry))
                .setHbqRounds(4)
                .setBitsPerToken(32)
                .setPackedBits(LatentVideoPacker.packBits(geometry, 4, bits))
                .build();
    }

    @Test
    void bitsSurviveTheRecord() {
        byte[] bits = randomBits();
        LatentVideo record = record(bits);
        assertEquals(320 * 32 / 8, record.getPackedBits().remaining());
        assertArrayEquals(bits, LatentVideoPacker.unpackBits(record));
        assertEquals(geometry, LatentVideoPacker.fromAvro(record.getGeometry()));
    }

    @Test
    void dequantizeGivesTheDecoderInputChannelMajor() {
        byte[] bits = randomBits();
        float[] latent = LatentVideoPacker.dequantize(record(bits));
        HbqCodec codec = new HbqCodec(8, 4);
        float[] expected = new float[latent.length];
        codec.dequantize(bits, geometry.tokens(), expected);
        assertArrayEquals(expected, latent);
    }

    @Test
    void wrongLengthIsMalformed() {
        LatentVideo record = LatentVideo.newBuilder(record(randomBits())).setPackedBits(ByteBuffer.wrap(new byte[1279])).build();
        MalformedLatentException e = assertThrows(MalformedLatentException.class, () -> LatentVideoPacker.unpackBits(record));
        assertTrue(e.getMessage().contains("1279") && e.getMessage().contains("1280"), e.getMessage());
    }

    @Test
    void bitsPerTokenMustMatchRoundsTimesChannels() {
        LatentVideo record = LatentVideo.newBuilder(record(randomBits())).setBitsPerToken(64).build();
        assertThrows(MalformedLatentException.class, () -> LatentVideoPacker.dequantize(record));
    }

    @Test
    void inconsistentGeometryIsMalformed() {
        LatentVideo good = record(randomBits());
        LatentVideo record = LatentVideo.newBuilder(good)
                .setGeometry(io.grnstream.avro.LatentGeometry.newBuilder(good.getGeometry()).setLatentFrames(4).build())
                .build();
        assertThrows(MalformedLatentException.class, () -> LatentVideoPacker.unpackBits(record));
    }
}
