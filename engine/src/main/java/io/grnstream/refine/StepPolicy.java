package io.grnstream.refine;

/** How many refinement steps a request gets. */
public sealed interface StepPolicy {

    /** Exactly {@code steps} forward passes with the released cosine schedule. */
    record Fixed(int steps) implements StepPolicy {
        public Fixed {
            if (steps < 2 || steps > 1000) {
                throw new IllegalArgumentException("steps must be in [2, 1000], got " + steps);
            }
        }

        @Override
        public String describe() {
            return "fixed(" + steps + ")";
        }
    }

    /**
     * Entropy-guided (GRN-METHOD.md 4.2): {@code warmup} passes, then N = clip(round(k H + b),
     * minSteps - warmup, maxSteps - warmup) more, H the mean conditional bit entropy at pass
     * {@code warmup}.
     */
    record EntropyGuided(int warmup, double k, double b, int minSteps, int maxSteps) implements StepPolicy {
        public EntropyGuided {
            if (warmup < 1 || minSteps <= warmup || maxSteps < minSteps || maxSteps > 1000) {
                throw new IllegalArgumentException("need 1 <= warmup < minSteps <= maxSteps <= 1000, got warmup "
                        + warmup + ", min " + minSteps + ", max " + maxSteps);
            }
            if (!Double.isFinite(k) || !Double.isFinite(b)) {
                throw new IllegalArgumentException("k and b must be finite");
            }
        }

        @Override
        public String describe() {
            return "entropy(wp=" + warmup + ",k=" + k + ",b=" + b + ",min=" + minSteps + ",max=" + maxSteps + ")";
        }
    }

    String describe();
}
