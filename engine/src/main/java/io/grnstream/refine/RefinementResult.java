package io.grnstream.refine;

/**
 * A finished refinement: the last pass's full prediction in bit form (0/1 bytes, [N][M*C], round-
 * major) and the trace of how it got there.
 */
public record RefinementResult(String requestId, byte[] bits, int stepsUsed, String policy, float[] entropyTrace,
                               float[] keepRatioTrace, long refineMillis) {
}
