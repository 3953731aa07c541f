package io.grnstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** ONNX Runtime in Java reproduces the PyTorch outputs recorded at export, within 1e-4. */
class OnnxParityTest {
    private static final double TOLERANCE = 1e-4;
    private static ModelBundle bundle;
    private static InferenceRuntime runtime;

    @BeforeAll
    static void load() {
        bundle = ModelBundle.load(BundleFixtures.BUNDLE);
        runtime = new InferenceRuntime("cpu", false, 2, 1);
    }

    @AfterAll
    static void done() {
        // sessions are closed per test
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertEquals(0.0, worst, TOLERANCE, what + ": max |java - torch| = " + worst);
    }

    @Test
    void tokenizerGivesTheTrainingIds() throws Exception {
        try (TextEncoder text = new TextEncoder(bundle, runtime)) {
            for (JsonNode prompt : BundleFixtures.json("tokenizer_ids.json").path("prompts")) {
                long[][] tokens = text.tokenize(prompt.path("text").asText());
                List<Long> ids = new ArrayList<>();
                prompt.path("input_ids").forEach(n -> ids.add(n.asLong()));
                List<Long> mask = new ArrayList<>();
                prompt.path("attention_mask").forEach(n -> mask.add(n.asLong()));
                assertArrayEquals(ids.stream().mapToLong(Long::longValue).toArray(), tokens[0], prompt.path("text").asText());
                assertArrayEquals(mask.stream().mapToLong(Long::longValue).toArray(), tokens[1], prompt.path("text").asText());
            }
        }
    }

    @Test
    void textEncoderMatchesTorch() throws Exception {
        Npy ids = BundleFixtures.npy("text_encoder.input_ids");
        Npy mask = BundleFixtures.npy("text_encoder.attention_mask");
        try (OrtSession session = runtime.open(bundle.file("text_encoder"));
             OnnxTensor tIds = OnnxTensor.createTensor(runtime.environment(), LongBuffer.wrap(ids.longs()), ids.shape());
             OnnxTensor tMask = OnnxTensor.createTensor(runtime.environment(), LongBuffer.wrap(mask.longs()), mask.shape());
             OrtSession.Result out = session.run(Map.of("input_ids", tIds, "attention_mask", tMask))) {
            assertClose(BundleFixtures.npy("text_encoder.text_k").floats(), floats(out, "text_k"), "text_k");
            assertClose(BundleFixtures.npy("text_encoder.text_v").floats(), floats(out, "text_v"), "text_v");
        }
    }

    @Test
    void refinerStepMatchesTorch() throws Exception {
        Npy bits = BundleFixtures.npy("refiner_step.bits");
        Npy progress = BundleFixtures.npy("refiner_step.progress");
        Npy keys = BundleFixtures.npy("text_encoder.text_k");
        Npy values = BundleFixtures.npy("text_encoder.text_v");
        Npy mask = BundleFixtures.npy("text_encoder.attention_mask");
        var env = runtime.environment();
        try (OrtSession session = runtime.open(bundle.file("refiner_step"));
             OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(bits.floats()), bits.shape());
             OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(progress.floats()), progress.shape());
             OnnxTensor c = OnnxTensor.createTensor(env, FloatBuffer.wrap(keys.floats()), keys.shape());
             OnnxTensor d = OnnxTensor.createTensor(env, FloatBuffer.wrap(values.floats()), values.shape());
             OnnxTensor e = OnnxTensor.createTensor(env, LongBuffer.wrap(mask.longs()), mask.shape());
             OrtSession.Result out = session.run(Map.of("bits", a, "progress", b, "text_k", c, "text_v", d, "text_mask", e))) {
            assertClose(BundleFixtures.npy("refiner_step.logit_gap").floats(), floats(out, "logit_gap"), "logit_gap");
        }
    }

    @Test
    void vaeDecoderAndEncoderMatchTorch() throws Exception {
        Npy z = BundleFixtures.npy("vae_decoder.z");
        try (VaeNetwork decoder = VaeNetwork.decoder(bundle, runtime)) {
            assertClose(BundleFixtures.npy("vae_decoder.frames").floats(), decoder.run(z.floats(), z.shape()).data(),
                    "decoded frames");
        }
        Npy frames = BundleFixtures.npy("vae_encoder.frames");
        try (VaeNetwork encoder = VaeNetwork.encoder(bundle, runtime)) {
            assertClose(BundleFixtures.npy("vae_encoder.z").floats(), encoder.run(frames.floats(), frames.shape()).data(),
                    "encoded latent");
        }
    }

    private static float[] floats(OrtSession.Result result, String name) {
        FloatBuffer buffer = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }
}
