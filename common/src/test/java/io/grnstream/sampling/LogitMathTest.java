package io.grnstream.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LogitMathTest {

    @Test
    void sigmoidIsStableAndSymmetric() {
        assertEquals(0.5, LogitMath.sigmoid(0), 0);
        assertEquals(1.0, LogitMath.sigmoid(800), 0);
        assertEquals(0.0, LogitMath.sigmoid(-800), 0);
        assertEquals(1.0, LogitMath.sigmoid(Double.POSITIVE_INFINITY), 0);
        assertEquals(0.0, LogitMath.sigmoid(Double.NEGATIVE_INFINITY), 0);
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            double g = random.nextDouble(-40, 40);
            assertEquals(1.0, LogitMath.sigmoid(g) + LogitMath.sigmoid(-g), 1e-12);
            assertEquals(1 / (1 + Math.exp(-g)), LogitMath.sigmoid(g), 1e-12);
        }
    }

    @Test
    void entropyIsOneBitAtEvenOddsAndZeroWhenCertain() {
        assertEquals(1.0, LogitMath.entropyBitsOfGap(0), 1e-15);
        assertEquals(1.0, LogitMath.binaryEntropyBits(0.5), 1e-15);
        assertEquals(0.0, LogitMath.binaryEntropyBits(0.0), 0);
        assertEquals(0.0, LogitMath.binaryEntropyBits(1.0), 0);
        assertEquals(0.0, LogitMath.entropyBitsOfGap(Double.POSITIVE_INFINITY), 0);
        assertEquals(0.0, LogitMath.entropyBitsOfGap(-1000), 1e-300);
        // p = 0.25: -(0.25 log2 0.25 + 0.75 log2 0.75) = 0.811278...
        assertEquals(0.8112781244591328, LogitMath.binaryEntropyBits(0.25), 1e-15);
        assertEquals(0.8112781244591328, LogitMath.entropyBitsOfGap(Math.log(3)), 1e-12);
    }

    @Test
    void entropyFromGapEqualsEntropyFromProbability() {
        SplittableRandom random = new SplittableRandom(2);
        for (int i = 0; i < 10_000; i++) {
            double g = random.nextDouble(-30, 30);
            assertEquals(LogitMath.binaryEntropyBits(LogitMath.sigmoid(g)), LogitMath.entropyBitsOfGap(g), 1e-9);
        }
    }

    @Test
    void arrayHelpersAgreeWithTheScalarForms() {
        SplittableRandom random = new SplittableRandom(3);
        int n = 4096;
        float[] gaps = new float[n];
        for (int i = 0; i < n; i++) {
            gaps[i] = (float) random.nextDouble(-12, 12);
        }
        gaps[0] = Float.POSITIVE_INFINITY;
        gaps[1] = Float.NEGATIVE_INFINITY;
        float[] p = new float[n];
        double fused = LogitMath.sigmoidAndMeanEntropy(gaps, p, n);
        float[] p2 = new float[n];
        LogitMath.sigmoid(gaps, p2, n);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            assertEquals(LogitMath.sigmoid(gaps[i]), p[i], 1e-7);
            assertEquals(p[i], p2[i], 1e-7);
            sum += LogitMath.entropyBitsOfGap(gaps[i]);
        }
        assertEquals(sum / n, fused, 1e-12);
        assertEquals(sum / n, LogitMath.meanEntropyBits(gaps, 0, n), 1e-12);
        assertEquals(sum / n, LogitMath.meanEntropyBitsOfProbabilities(p, 0, n), 1e-5);
        assertTrue(fused > 0 && fused < 1);
    }
}
