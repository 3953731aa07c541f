package io.grnstream.sampling;

/**
 * Per-bit arithmetic on logit gaps g = l[1] - l[0] (GRN-METHOD.md 3.1, 4.1), for primitive arrays
 * of millions of bits per step. P(bit = 1) = sigmoid(g); the binary entropy in bits is computed
 * from g directly, as ln(1 + e) + |g| e / (1 + e) over ln 2 with e = exp(-|g|), which is exact and
 * never takes the log of 0, so saturated logits give 0 rather than NaN.
 */
public final class LogitMath {
    private static final double LN2 = Math.log(2.0);

    private LogitMath() {
    }

    public static double sigmoid(double gap) {
        if (gap >= 0) {
            return 1.0 / (1.0 + Math.exp(-gap));
        }
        double e = Math.exp(gap);
        return e / (1.0 + e);
    }

    /** Entropy in bits of a Bernoulli(p), 0 at p = 0 and p = 1. */
    public static double binaryEntropyBits(double p) {
        if (p <= 0.0 || p >= 1.0) {
            return 0.0;
        }
        return -(p * Math.log(p) + (1.0 - p) * Math.log1p(-p)) / LN2;
    }

    /** Entropy in bits of Bernoulli(sigmoid(gap)). */
    public static double entropyBitsOfGap(double gap) {
        double a = Math.abs(gap);
        if (Double.isNaN(a)) {
            return Double.NaN;
        }
        double e = Math.exp(-a);
        return (Math.log1p(e) + (a == Double.POSITIVE_INFINITY ? 0.0 : a * e / (1.0 + e))) / LN2;
    }

    /** {@code out[i] = sigmoid(gaps[i])} for i in [0, n). */
    public static void sigmoid(float[] gaps, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = (float) sigmoid(gaps[i]);
        }
    }

    /** Mean entropy in bits over gaps[from, from + n). */
    public static double meanEntropyBits(float[] gaps, int from, int n) {
        if (n == 0) {
            return 0.0;
        }
        double sum = 0.0;
        for (int i = from, end = from + n; i < end; i++) {
            sum += entropyBitsOfGap(gaps[i]);
        }
        return sum / n;
    }

    /** Mean entropy in bits of probabilities p[from, from + n). */
    public static double meanEntropyBitsOfProbabilities(float[] p, int from, int n) {
        if (n == 0) {
            return 0.0;
        }
        double sum = 0.0;
        for (int i = from, end = from + n; i < end; i++) {
            sum += binaryEntropyBits(p[i]);
        }
        return sum / n;
    }

    /**
     * Fused pass for the sampler: writes P(bit = 1) of each gap and returns the mean entropy in
     * bits, sharing one exp per element.
     */
    public static double sigmoidAndMeanEntropy(float[] gaps, float[] probabilities, int n) {
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            double g = gaps[i];
            double a = Math.abs(g);
            double e = Math.exp(-a);
            double inv = 1.0 / (1.0 + e);
            probabilities[i] = (float) (g >= 0 ? inv : e * inv);
            sum += Math.log1p(e) + (a == Double.POSITIVE_INFINITY ? 0.0 : a * e * inv);
        }
        return n == 0 ? 0.0 : sum / n / LN2;
    }
}
