package io.grnstream.hbq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BitPackingTest {

    @Test
    void firstBitIsTheMostSignificantAndTheTailIsZeroPadded() {
        byte[] packed = new byte[2];
        BitPacking.pack(new byte[] {1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0}, 0, 11, packed);
        assertArrayEquals(new byte[] {(byte) 0x81, (byte) 0xC0}, packed);
    }

    @Test
    void packThenUnpackIsIdentityForAnyLengthAndOffset() {
        SplittableRandom random = new SplittableRandom(3);
        for (int trial = 0; trial < 500; trial++) {
            int count = random.nextInt(300);
            int offset = random.nextInt(9);
            byte[] bits = new byte[offset + count + random.nextInt(9)];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = (byte) random.nextInt(2);
            }
            byte[] packed = new byte[BitPacking.packedLength(count)];
            BitPacking.pack(bits, offset, count, packed);
            byte[] back = new byte[offset + count];
            BitPacking.unpack(packed, count, back, offset);
            assertArrayEquals(Arrays.copyOfRange(bits, offset, offset + count), Arrays.copyOfRange(back, offset, offset + count),
                    "count " + count + " offset " + offset);
        }
    }

    @Test
    void gatherAndSpreadInvertEachOtherForAllBytes() {
        for (int b = 0; b < 256; b++) {
            long lanes = BitPacking.spread((byte) b);
            for (int j = 0; j < 8; j++) {
                assertEquals((b >>> (7 - j)) & 1, (lanes >>> (8 * j)) & 0xFF, "byte " + b + " lane " + j);
            }
            assertEquals((byte) b, BitPacking.gather(lanes));
        }
    }
}
