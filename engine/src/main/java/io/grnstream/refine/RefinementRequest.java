package io.grnstream.refine;

/**
 * What the engine needs to refine one request; the fields are already resolved against the
 * bundle's defaults and validated.
 */
public record RefinementRequest(String requestId, String prompt, String negativePrompt, long seed, double guidanceScale,
                                double temperature, StepPolicy policy, StepListener listener) {

    public RefinementRequest {
        if (!(guidanceScale >= 0) || !Double.isFinite(guidanceScale)) {
            throw new IllegalArgumentException("guidance scale must be a non-negative number");
        }
        if (!(temperature > 0) || !Double.isFinite(temperature)) {
            throw new IllegalArgumentException("temperature must be positive");
        }
        listener = listener == null ? StepListener.NONE : listener;
    }
}
