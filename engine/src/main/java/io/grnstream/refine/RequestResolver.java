package io.grnstream.refine;

import io.grnstream.avro.EntropyGuidedSteps;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.blob.BlobKeys;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.errors.UnknownModelException;
import io.grnstream.geometry.VideoGeometry;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.SamplerDefaults;

/**
 * Checks a {@link GenerationRequest} against what the bundle can do and fills unset fields from
 * its defaults. Everything refused here is permanent (an {@link InvalidRequestException} naming
 * the field), so workers dead-letter it at once instead of retrying.
 */
public final class RequestResolver {
    public static final int MAX_PROMPT_CHARS = 2000;
    public static final double MAX_GUIDANCE = 30.0;
    public static final double MAX_TEMPERATURE = 10.0;
    public static final int MAX_STEPS = 200;

    private final ModelBundle bundle;
    private final SamplerDefaults defaults;

    public RequestResolver(ModelBundle bundle) {
        this.bundle = bundle;
        this.defaults = bundle.samplerDefaults();
    }

    /** A request ready for the engine, with the geometry it produces. */
    public record Resolved(RefinementRequest refinement, VideoGeometry geometry) {
    }

    public Resolved resolve(GenerationRequest r, StepListener listener) {
        String id = BlobKeys.validRequestId(r.getRequestId());
        String prompt = checkText("prompt", r.getPrompt(), false);
        String negative = checkText("negativePrompt", r.getNegativePrompt(), true);
        if (r.getModelId() != null && !r.getModelId().equals(bundle.id())) {
            throw new UnknownModelException("model '" + r.getModelId() + "' is not served here; this deployment serves '"
                    + bundle.id() + "'");
        }
        if (r.getSeed() < 0) {
            throw new InvalidRequestException("seed", "must be non-negative, got " + r.getSeed());
        }
        VideoGeometry geometry = bundle.geometryRules().resolve(r.getFrames(), r.getDurationSeconds(), r.getFps(),
                r.getAspectRatio(), r.getResolutionPreset());
        if (geometry.tokens() != bundle.tokens()) {
            VideoGeometry only = bundle.defaultGeometry();
            throw new InvalidRequestException("frames", "model '" + bundle.id() + "' generates exactly " + only.frames()
                    + " frames of " + only.pixelWidth() + "x" + only.pixelHeight() + "; the request asks for " + geometry);
        }
        double guidance = r.getGuidanceScale() != null ? r.getGuidanceScale() : defaults.guidanceScale();
        if (!(guidance >= 0 && guidance <= MAX_GUIDANCE)) {
            throw new InvalidRequestException("guidanceScale", "must be in [0, " + MAX_GUIDANCE + "], got " + guidance);
        }
        double temperature = r.getTemperature() != null ? r.getTemperature() : defaults.temperature();
        if (!(temperature > 0 && temperature <= MAX_TEMPERATURE)) {
            throw new InvalidRequestException("temperature", "must be in (0, " + MAX_TEMPERATURE + "], got " + temperature);
        }
        return new Resolved(new RefinementRequest(id, prompt, negative, r.getSeed(), guidance, temperature,
                policy(r.getStepPolicy()), listener), geometry);
    }

    private StepPolicy policy(Object requested) {
        try {
            if (requested instanceof FixedSteps f) {
                if (f.getSteps() > MAX_STEPS) {
                    throw new IllegalArgumentException("steps must be in [2, " + MAX_STEPS + "], got " + f.getSteps());
                }
                return new StepPolicy.Fixed(f.getSteps());
            }
            if (requested instanceof EntropyGuidedSteps e) {
                int max = e.getMaxSteps() != null ? e.getMaxSteps() : defaults.maxSteps();
                if (max > MAX_STEPS) {
                    throw new IllegalArgumentException("maxSteps must be at most " + MAX_STEPS + ", got " + max);
                }
                return new StepPolicy.EntropyGuided(
                        e.getWarmupSteps() != null ? e.getWarmupSteps() : defaults.warmupSteps(),
                        e.getK() != null ? e.getK() : defaults.entropyK(),
                        e.getB() != null ? e.getB() : defaults.entropyB(),
                        e.getMinSteps() != null ? e.getMinSteps() : defaults.minSteps(), max);
            }
            return defaults.mode().equals("entropy")
                    ? new StepPolicy.EntropyGuided(defaults.warmupSteps(), defaults.entropyK(), defaults.entropyB(),
                            defaults.minSteps(), defaults.maxSteps())
                    : new StepPolicy.Fixed(defaults.fixedSteps());
        } catch (IllegalArgumentException ex) {
            throw new InvalidRequestException("stepPolicy", ex.getMessage());
        }
    }

    private static String checkText(String field, String text, boolean mayBeEmpty) {
        if (text == null || (!mayBeEmpty && text.isBlank())) {
            throw new InvalidRequestException(field, "must not be empty");
        }
        if (text.length() > MAX_PROMPT_CHARS) {
            throw new InvalidRequestException(field, "is " + text.length() + " characters; at most " + MAX_PROMPT_CHARS);
        }
        // Avro decodes malformed UTF-8 to U+FFFD; such text is not what the client meant.
        if (text.indexOf('\uFFFD') >= 0 || text.chars().anyMatch(ch -> ch < 0x20 && ch != '\t' && ch != '\n')) {
            throw new InvalidRequestException(field, "contains bytes that are not valid UTF-8 text or control characters");
        }
        return text;
    }
}
