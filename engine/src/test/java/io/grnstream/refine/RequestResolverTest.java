package io.grnstream.refine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.EntropyGuidedSteps;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.model.BundleFixtures;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.SamplerDefaults;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RequestResolverTest {
    private final ModelBundle bundle = ModelBundle.load(BundleFixtures.BUNDLE);
    private final RequestResolver resolver = new RequestResolver(bundle);

    private GenerationRequest.Builder valid() {
        return GenerationRequest.newBuilder().setRequestId("r-1").setPrompt("a red circle moving left on a black background")
                .setSeed(7);
    }

    @Test
    void unsetFieldsTakeTheBundleDefaults() {
        RequestResolver.Resolved r = resolver.resolve(valid().build(), null);
        SamplerDefaults d = bundle.samplerDefaults();
        assertEquals(d.guidanceScale(), r.refinement().guidanceScale());
        assertEquals(d.temperature(), r.refinement().temperature());
        assertEquals(bundle.defaultGeometry(), r.geometry());
        assertEquals(d.mode().equals("entropy") ? StepPolicy.EntropyGuided.class : StepPolicy.Fixed.class,
                r.refinement().policy().getClass());
    }

    @Test
    void requestedPoliciesAreHonoured() {
        assertEquals(new StepPolicy.Fixed(20), resolver.resolve(valid().setStepPolicy(new FixedSteps(20)).build(), null)
                .refinement().policy());
        StepPolicy.EntropyGuided e = (StepPolicy.EntropyGuided) resolver.resolve(valid().setStepPolicy(
                EntropyGuidedSteps.newBuilder().setWarmupSteps(4).setMaxSteps(40).build()).build(), null).refinement().policy();
        assertEquals(4, e.warmup());
        assertEquals(40, e.maxSteps());
        assertEquals(bundle.samplerDefaults().entropyK(), e.k());
    }

    private void refused(String field, ErrorType type, Consumer<GenerationRequest.Builder> change) {
        GenerationRequest.Builder b = valid();
        change.accept(b);
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> resolver.resolve(b.build(), null));
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(type, e.errorType());
    }

    @Test
    void everyImpossibleFieldIsRefusedWithItsName() {
        refused("prompt", ErrorType.INVALID_REQUEST, b -> b.setPrompt("   "));
        refused("prompt", ErrorType.INVALID_REQUEST, b -> b.setPrompt("x".repeat(2001)));
        refused("prompt", ErrorType.INVALID_REQUEST, b -> b.setPrompt("bad \uFFFD bytes"));
        refused("negativePrompt", ErrorType.INVALID_REQUEST, b -> b.setNegativePrompt("nul\u0000"));
        refused("modelId", ErrorType.UNKNOWN_MODEL, b -> b.setModelId("grn-2b"));
        refused("seed", ErrorType.INVALID_REQUEST, b -> b.setSeed(-1));
        refused("requestId", ErrorType.INVALID_REQUEST, b -> b.setRequestId("../x"));
        refused("frames", ErrorType.INVALID_REQUEST, b -> b.setFrames(9));
        refused("frames", ErrorType.INVALID_REQUEST, b -> b.setFrames(18));
        refused("fps", ErrorType.INVALID_REQUEST, b -> b.setFps(0));
        refused("guidanceScale", ErrorType.INVALID_REQUEST, b -> b.setGuidanceScale(-0.5));
        refused("guidanceScale", ErrorType.INVALID_REQUEST, b -> b.setGuidanceScale(Double.NaN));
        refused("temperature", ErrorType.INVALID_REQUEST, b -> b.setTemperature(0.0));
        refused("stepPolicy", ErrorType.INVALID_REQUEST, b -> b.setStepPolicy(new FixedSteps(1)));
        refused("stepPolicy", ErrorType.INVALID_REQUEST, b -> b.setStepPolicy(new FixedSteps(5000)));
        refused("stepPolicy", ErrorType.INVALID_REQUEST, b -> b.setStepPolicy(
                EntropyGuidedSteps.newBuilder().setWarmupSteps(30).setMinSteps(10).build()));
        refused("resolutionPreset", ErrorType.INVALID_REQUEST, b -> b.setResolutionPreset("1080p"));
    }

    @Test
    void theOnlyGeometryMessageSaysWhatTheModelCanDo() {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> resolver.resolve(valid().setFrames(9).build(), null));
        assertTrue(e.getMessage().contains("generates exactly 17 frames of 64x64"), e.getMessage());
        assertInstanceOf(InvalidRequestException.class, e);
    }
}
