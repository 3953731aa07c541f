package io.grnstream.hbq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HbqCodecTest {

    private static float[] randomLatent(SplittableRandom random, int n) {
        float[] latent = new float[n];
        for (int i = 0; i < n; i++) {
            latent[i] = (float) Math.tanh(random.nextGaussian());
        }
        return latent;
    }

    @Test
    void goldenLayoutTwoChannelsTwoRoundsTwoTokens() {
        HbqCodec codec = new HbqCodec(2, 2);
        // channel-major [C][N]: channel 0 = (0.6, 0.0), channel 1 = (-0.1, -0.7)
        float[] latent = {0.6f, 0.0f, -0.1f, -0.7f};

        byte[] indices = new byte[4];
        codec.quantizeToIndices(latent, 2, indices);
        assertArrayEquals(new byte[] {3, 1, 1, 0}, indices);              // [N][C]

        byte[] bits = new byte[8];
        codec.quantize(latent, 2, bits);
        // token 0: round 0 (c0, c1) = 1 0, round 1 = 1 1; token 1: round 0 = 0 0, round 1 = 1 0
        assertArrayEquals(new byte[] {1, 0, 1, 1, 0, 0, 1, 0}, bits);

        byte[] packed = new byte[1];
        codec.quantizeAndPack(latent, 2, packed);
        assertArrayEquals(new byte[] {(byte) 0b1011_0010}, packed);

        float[] back = new float[4];
        codec.unpackAndDequantize(packed, 2, back);
        assertArrayEquals(new float[] {0.75f, -0.25f, -0.25f, -0.75f}, back);
    }

    @Test
    void goldenLaneAlignedPath() {
        HbqCodec codec = new HbqCodec(8, 1);
        float[] latent = {0.3f, -0.3f, 0.9f, 0.1f, -0.1f, 0f, -0.9f, 0.5f};   // one token
        byte[] packed = new byte[1];
        codec.quantizeAndPack(latent, 1, packed);
        assertArrayEquals(new byte[] {(byte) 0b1011_0001}, packed);
        float[] back = new float[8];
        codec.unpackAndDequantize(packed, 1, back);
        assertArrayEquals(new float[] {0.5f, -0.5f, 0.5f, 0.5f, -0.5f, -0.5f, -0.5f, 0.5f}, back);
    }

    @ParameterizedTest(name = "C={0}")
    @CsvSource({"1", "3", "5", "8", "12", "16", "64"})
    void everyPathAgreesForEveryRoundCount(int channels) {
        SplittableRandom random = new SplittableRandom(channels);
        for (int rounds = 1; rounds <= 8; rounds++) {
            HbqCodec codec = new HbqCodec(channels, rounds);
            int tokens = 1 + random.nextInt(200);
            float[] latent = randomLatent(random, tokens * channels);

            byte[] bits = new byte[tokens * codec.bitsPerToken()];
            codec.quantize(latent, tokens, bits);
            byte[] packedFast = new byte[codec.packedBytes(tokens)];
            codec.quantizeAndPack(latent, tokens, packedFast);
            assertArrayEquals(codec.pack(bits, tokens), packedFast, "pack, M=" + rounds);
            assertArrayEquals(bits, codec.unpack(packedFast, tokens), "unpack, M=" + rounds);

            float[] viaBits = new float[latent.length];
            codec.dequantize(bits, tokens, viaBits);
            float[] viaPacked = new float[latent.length];
            codec.unpackAndDequantize(packedFast, tokens, viaPacked);
            assertArrayEquals(viaBits, viaPacked, "dequantize, M=" + rounds);

            for (int c = 0; c < channels; c++) {
                for (int n = 0; n < tokens; n++) {
                    float x = latent[c * tokens + n];
                    int k = Hbq.index(x, rounds);
                    assertEquals(Hbq.level(k, rounds), viaPacked[c * tokens + n], 0f);
                    for (int m = 0; m < rounds; m++) {
                        assertEquals(Hbq.bit(k, m, rounds), bits[n * codec.bitsPerToken() + m * channels + c],
                                "token " + n + " channel " + c + " round " + m);
                    }
                }
            }
        }
    }

    @Test
    void bitFormAndIndexFormConvertBothWays() {
        SplittableRandom random = new SplittableRandom(5);
        for (int rounds = 1; rounds <= 8; rounds++) {
            HbqCodec codec = new HbqCodec(64, rounds);
            int tokens = 37;
            byte[] indices = new byte[tokens * 64];
            for (int i = 0; i < indices.length; i++) {
                indices[i] = (byte) random.nextInt(1 << rounds);
            }
            byte[] bits = new byte[tokens * codec.bitsPerToken()];
            codec.indicesToBits(indices, tokens, bits);
            byte[] back = new byte[indices.length];
            codec.bitsToIndices(bits, tokens, back);
            assertArrayEquals(indices, back);

            float[] fromIndices = new float[indices.length];
            codec.dequantizeIndices(indices, tokens, fromIndices);
            float[] fromBits = new float[indices.length];
            codec.dequantize(bits, tokens, fromBits);
            assertArrayEquals(fromIndices, fromBits);
        }
    }

    @Test
    void quantizingTheLevelsReturnsThem() {
        HbqCodec codec = new HbqCodec(16, 4);
        SplittableRandom random = new SplittableRandom(6);
        int tokens = 100;
        float[] latent = randomLatent(random, tokens * 16);
        byte[] packed = new byte[codec.packedBytes(tokens)];
        codec.quantizeAndPack(latent, tokens, packed);
        float[] levels = new float[latent.length];
        codec.unpackAndDequantize(packed, tokens, levels);
        byte[] again = new byte[packed.length];
        codec.quantizeAndPack(levels, tokens, again);
        assertArrayEquals(packed, again);
    }

    @Test
    void rejectsBuffersOfTheWrongSize() {
        HbqCodec codec = new HbqCodec(8, 4);
        assertThrows(IllegalArgumentException.class, () -> codec.quantizeAndPack(new float[8 * 3], 3, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> codec.unpackAndDequantize(new byte[12], 3, new float[8 * 2]));
        assertThrows(IllegalArgumentException.class, () -> new HbqCodec(8, 9));
        assertThrows(IllegalArgumentException.class, () -> new HbqCodec(0, 4));
    }
}
