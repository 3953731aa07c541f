package io.grnstream.hbq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HbqTest {

    /** GRN-METHOD.md 1.1 verbatim: successive approximation with a strict "&gt;". */
    static int referenceIndex(float x, int rounds) {
        double q = 0;
        int k = 0;
        for (int m = 1; m <= rounds; m++) {
            int b = x > q ? 1 : 0;
            q += Math.pow(2, -m) * (2 * b - 1);
            k = (k << 1) | b;
        }
        return k;
    }

    @ParameterizedTest(name = "x={0} M={1} -> k={2}, x̂={3}")
    @CsvSource({
        "0.0, 4, 7, -0.0625",       // exactly on the first threshold: goes low
        "-0.0, 4, 7, -0.0625",
        "1e-30, 4, 8, 0.0625",      // the smallest step above it goes high
        "0.5, 4, 11, 0.4375",       // on the round-2 threshold
        "0.125, 4, 8, 0.0625",      // on the round-4 threshold
        "0.1250001, 4, 9, 0.1875",
        "-0.3, 4, 5, -0.3125",
        "0.9999, 4, 15, 0.9375",
        "-1.0, 4, 0, -0.9375",
        "1.0, 4, 15, 0.9375",
        "7.0, 4, 15, 0.9375",       // outside (-1, 1) saturates
        "-7.0, 4, 0, -0.9375",
        "0.0, 1, 0, -0.5",
        "0.01, 1, 1, 0.5",
        "0.6, 2, 3, 0.75",
        "-0.1, 2, 1, -0.25",
        "-0.7, 2, 0, -0.75",
        "0.0, 8, 127, -0.00390625",
    })
    void goldenValues(float x, int rounds, int index, float level) {
        assertEquals(index, Hbq.index(x, rounds));
        assertEquals(index, referenceIndex(x, rounds));
        assertEquals(level, Hbq.level(index, rounds));
    }

    @Test
    void nanMapsToTheLevelJustBelowZeroADocumentedDeviation() {
        for (int m = 1; m <= 8; m++) {
            assertEquals((1 << (m - 1)) - 1, Hbq.index(Float.NaN, m));
        }
    }

    @Test
    void infinitiesSaturate() {
        for (int m = 1; m <= 8; m++) {
            assertEquals((1 << m) - 1, Hbq.index(Float.POSITIVE_INFINITY, m));
            assertEquals(0, Hbq.index(Float.NEGATIVE_INFINITY, m));
            assertEquals(referenceIndex(Float.MAX_VALUE, m), Hbq.index(Float.MAX_VALUE, m));
            assertEquals(referenceIndex(-Float.MAX_VALUE, m), Hbq.index(-Float.MAX_VALUE, m));
        }
    }

    @Test
    void closedFormEqualsSuccessiveApproximationOnRandomAndThresholdInputs() {
        SplittableRandom random = new SplittableRandom(11);
        for (int m = 1; m <= 8; m++) {
            int half = 1 << (m - 1);
            for (int i = -half; i <= half; i++) {
                float threshold = i / (float) half;
                for (float x : new float[] {threshold, Math.nextUp(threshold), Math.nextDown(threshold)}) {
                    assertEquals(referenceIndex(x, m), Hbq.index(x, m), "x=" + x + " M=" + m);
                }
            }
            for (int n = 0; n < 200_000; n++) {
                float x = (float) (random.nextDouble() * 2.2 - 1.1);
                assertEquals(referenceIndex(x, m), Hbq.index(x, m), "x=" + x + " M=" + m);
            }
        }
    }

    @Test
    void reconstructionErrorIsAtMostOneStepOverTwo() {
        SplittableRandom random = new SplittableRandom(12);
        for (int m = 1; m <= 8; m++) {
            double bound = Math.pow(2, -m);
            for (int n = 0; n < 100_000; n++) {
                float x = (float) (random.nextDouble() * 2 - 1);
                double error = Math.abs(x - Hbq.level(Hbq.index(x, m), m));
                assertTrue(error <= bound, "x=" + x + " M=" + m + " error=" + error);
            }
        }
    }

    @Test
    void rmsErrorOfUniformInputsMatchesTheUniformQuantizer() {
        SplittableRandom random = new SplittableRandom(13);
        int samples = 1_000_000;
        for (int m = 1; m <= 8; m++) {
            double sumSquares = 0;
            for (int n = 0; n < samples; n++) {
                float x = (float) (random.nextDouble() * 2 - 1);
                double e = x - Hbq.level(Hbq.index(x, m), m);
                sumSquares += e * e;
            }
            double rms = Math.sqrt(sumSquares / samples);
            double expected = Math.pow(2, -m) / Math.sqrt(3);
            assertEquals(expected, rms, 0.02 * expected, "M=" + m);
        }
    }

    @Test
    void levelsAreExactlyTheOddMultiplesOfTheStep() {
        for (int m = 1; m <= 8; m++) {
            TreeSet<Float> seen = new TreeSet<>();
            for (int k = 0; k < (1 << m); k++) {
                float v = Hbq.level(k, m);
                double scaled = (v + 1.0) * (1 << m);
                assertEquals(2 * k + 1, scaled, 0.0, "level " + k + " of M=" + m);
                int[] bits = new int[m];
                for (int r = 0; r < m; r++) {
                    bits[r] = Hbq.bit(k, r, m);
                }
                assertEquals(v, Hbq.levelFromBits(bits), 0.0, "bitwise sum of k=" + k + " M=" + m);
                seen.add(v);
            }
            assertEquals(1 << m, seen.size());
            assertEquals(-1 + Math.pow(2, -m), seen.first(), 0.0);
            assertEquals(1 - Math.pow(2, -m), seen.last(), 0.0);
        }
    }
}
