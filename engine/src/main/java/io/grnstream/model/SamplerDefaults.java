package io.grnstream.model;

/**
 * The bundle's sampling defaults (GRN-METHOD.md 3.1 and 4.2), used for request fields left unset.
 *
 * @param mode "fixed" or "entropy"
 */
public record SamplerDefaults(double guidanceScale, double temperature, String mode, int fixedSteps,
                              int warmupSteps, double entropyK, double entropyB, int minSteps, int maxSteps) {
}
