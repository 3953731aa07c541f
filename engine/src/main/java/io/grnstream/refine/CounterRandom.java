package io.grnstream.refine;

/**
 * Counter-based uniform draws: draw number t of a request is a pure function of (seed, t), the
 * SplitMix64 output for state seed + (t + 1) * golden gamma, as 53-bit doubles in [0, 1). The
 * sampler gives every (stream, step, element) its own t, so a request's draws never depend on
 * batching, worker or order, and match the Python reference sampler's sequential stream exactly.
 */
public final class CounterRandom {
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final double TWO_TO_MINUS_53 = 0x1.0p-53;

    private CounterRandom() {
    }

    public static double uniform(long seed, long draw) {
        long z = seed + (draw + 1) * GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * TWO_TO_MINUS_53;
    }
}
