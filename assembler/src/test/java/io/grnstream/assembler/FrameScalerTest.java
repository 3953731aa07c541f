package io.grnstream.assembler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FrameScalerTest {

    @Test
    void factorIsTheSmallestWholeOneReachingTheDisplaySide() {
        assertEquals(4, FrameScaler.forDisplay(FrameScaler.Filter.NEAREST, 64, 64, 256).factor());
        assertEquals(5, FrameScaler.forDisplay(FrameScaler.Filter.NEAREST, 64, 60, 256).factor());
        assertEquals(1, FrameScaler.forDisplay(FrameScaler.Filter.NEAREST, 480, 848, 256).factor());
        assertEquals(1, FrameScaler.forDisplay(FrameScaler.Filter.NONE, 64, 64, 256).factor());
    }

    @Test
    void nearestRepeatsEachPixel() {
        byte[] in = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};   // 2 x 2
        byte[] out = new byte[4 * 4 * 3];
        new FrameScaler(FrameScaler.Filter.NEAREST, 2).scale(in, 0, 2, 2, out);
        byte[] row0 = {1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6};
        byte[] row2 = {7, 8, 9, 7, 8, 9, 10, 11, 12, 10, 11, 12};
        assertArrayEquals(row0, java.util.Arrays.copyOfRange(out, 0, 12));
        assertArrayEquals(row0, java.util.Arrays.copyOfRange(out, 12, 24));
        assertArrayEquals(row2, java.util.Arrays.copyOfRange(out, 24, 36));
    }

    @Test
    void bilinearInterpolatesBetweenPixelCentres() {
        byte[] in = {0, 0, 0, (byte) 200, (byte) 200, (byte) 200};   // 2 x 1: black, grey
        byte[] out = new byte[4 * 2 * 3];
        new FrameScaler(FrameScaler.Filter.BILINEAR, 2).scale(in, 0, 2, 1, out);
        // output x centres map to input 0, 0.25, 0.75, 1 (clamped): 0, 50, 150, 200
        assertEquals(0, out[0] & 0xFF);
        assertEquals(50, out[3] & 0xFF);
        assertEquals(150, out[6] & 0xFF);
        assertEquals(200, out[9] & 0xFF);
    }
}
