package io.grnstream.hbq;

/**
 * Scalar HBQ math (GRN-METHOD.md 1.1): a latent value x in (-1, 1) becomes M bits by successive
 * approximation with a strict "&gt;" at every threshold; bit b1 (round 0) is the most significant.
 * The index form k = sum b_m 2^(M-1-m) dequantizes in closed form to (2k + 1) / 2^M - 1.
 */
public final class Hbq {
    public static final int MIN_ROUNDS = 1;
    public static final int MAX_ROUNDS = 8;

    private Hbq() {
    }

    public static void checkRounds(int rounds) {
        if (rounds < MIN_ROUNDS || rounds > MAX_ROUNDS) {
            throw new IllegalArgumentException("HBQ rounds must be in [1, 8], got " + rounds);
        }
    }

    /**
     * The index of x, equal to running the M-round successive approximation. With H = 2^(M-1) the
     * thresholds are x = i / H for integers |i| &lt; H, and x*H is exact in floating point, so
     * k = ceil(x*H) + H - 1 clamped to [0, 2H - 1]; values beyond (-1, 1), infinities included,
     * saturate.
     * <p>Deviation: NaN gives H - 1 (the level just below zero) where the comparison chain would give
     * 0. A tanh latent is never NaN, and the branch that would match the chain costs about a third
     * of the codec's time.
     */
    public static int index(float x, int rounds) {
        int half = 1 << (rounds - 1);
        int ceiling = Math.min((int) Math.ceil(x * half), half);
        return Math.max(ceiling + half - 1, 0);
    }

    /** Closed-form dequantization: (2k + 1) / 2^M - 1, one of the 2^M odd multiples of 2^-M. */
    public static float level(int index, int rounds) {
        return (2 * index + 1) / (float) (1 << rounds) - 1f;
    }

    /** The reconstruction x̂ = sum_m 2^-(m+1) (2 b_m - 1), bits given MSB (round 0) first. */
    public static float levelFromBits(int[] bitsMsbFirst) {
        float sum = 0f;
        for (int m = 0; m < bitsMsbFirst.length; m++) {
            sum += (2 * bitsMsbFirst[m] - 1) / (float) (1 << (m + 1));
        }
        return sum;
    }

    /** Bit of round m (0-based, 0 = MSB) in an index. */
    public static int bit(int index, int round, int rounds) {
        return (index >>> (rounds - 1 - round)) & 1;
    }

    /** The 2^M reconstruction levels, indexed by k. */
    public static float[] levels(int rounds) {
        checkRounds(rounds);
        float[] table = new float[1 << rounds];
        for (int k = 0; k < table.length; k++) {
            table[k] = level(k, rounds);
        }
        return table;
    }
}
