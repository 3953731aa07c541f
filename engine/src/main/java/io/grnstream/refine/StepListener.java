package io.grnstream.refine;

/** Called on the engine thread after every forward pass of a request; keep it quick. */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = progress -> { };

    void onStep(StepProgress progress);

    /**
     * @param step       passes done, 1-based
     * @param totalSteps passes this request will take, -1 while an entropy-guided budget is unknown
     * @param entropy    mean conditional bit entropy of this pass, in bits
     * @param keepRatio  realized share of predicted bits kept for the next pass
     * @param etaMs      estimated time to finish, -1 when unknown
     */
    record StepProgress(String requestId, int step, int totalSteps, double entropy, double keepRatio, long elapsedMs,
                        long etaMs) {
    }
}
