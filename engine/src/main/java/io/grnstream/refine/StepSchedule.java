package io.grnstream.refine;

/**
 * The keep-ratio schedule of one request, advanced once per forward pass (GRN-METHOD.md 3.1, 4.2).
 * Fixed: T passes, u = (s + 1) / (T - 1). Entropy-guided: warm-up u = (s + 1) / (Tmax - 1); at pass
 * s = wp the budget N = clip(floor(k H + b + 0.5), Tmin - wp, Tmax - wp) is fixed and u runs
 * linearly from wp / (Tmax - 1) to 1 over passes wp .. wp + N - 1, the last. The keep ratio is
 * 0.999 (1 - cos(pi/2 min(1, u))).
 * <p>Deviation shared with the reference sampler (training/README.md): after the warm-up u divides
 * by N - 1 rather than N, so N counts the passes after the warm-up including the final one and
 * N = Tmax - wp reproduces the fixed schedule exactly.
 */
final class StepSchedule {
    private final StepPolicy policy;
    private int budgetAfterWarmup = -1;
    private double entropyAtWarmup = Double.NaN;

    StepSchedule(StepPolicy policy) {
        this.policy = policy;
    }

    record Next(double keepRatio, boolean last) {
    }

    static double keepRatio(double u) {
        return 0.999 * (1.0 - Math.cos(Math.PI / 2 * Math.min(1.0, u)));
    }

    /** After pass s whose conditional mean entropy was {@code entropy}. */
    Next after(int s, double entropy) {
        if (policy instanceof StepPolicy.Fixed fixed) {
            return new Next(keepRatio((s + 1) / (double) (fixed.steps() - 1)), s == fixed.steps() - 1);
        }
        StepPolicy.EntropyGuided e = (StepPolicy.EntropyGuided) policy;
        double t = e.maxSteps() - 1;
        int wp = e.warmup();
        if (s < wp) {
            return new Next(keepRatio((s + 1) / t), false);
        }
        if (s == wp) {
            entropyAtWarmup = entropy;
            long rounded = (long) Math.floor(e.k() * entropy + e.b() + 0.5);
            budgetAfterWarmup = (int) Math.min(Math.max(rounded, e.minSteps() - wp), e.maxSteps() - wp);
        }
        double u = budgetAfterWarmup <= 1 ? 1.0 : wp / t + (1 - wp / t) * (s + 1 - wp) / (budgetAfterWarmup - 1);
        return new Next(keepRatio(u), s == wp + budgetAfterWarmup - 1);
    }

    /** Total passes when known: always for fixed, after the warm-up for entropy-guided; else -1. */
    int totalPasses() {
        if (policy instanceof StepPolicy.Fixed fixed) {
            return fixed.steps();
        }
        return budgetAfterWarmup < 0 ? -1 : ((StepPolicy.EntropyGuided) policy).warmup() + budgetAfterWarmup;
    }

    double entropyAtWarmup() {
        return entropyAtWarmup;
    }
}
