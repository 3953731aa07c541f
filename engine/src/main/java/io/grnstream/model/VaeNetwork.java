package io.grnstream.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * The bundle's HBQ video autoencoder halves (GRN-METHOD.md 7.6): the decoder maps a latent
 * {@code [1, C, T', h, w]} to frames {@code [1, 3, F, H, W]} in about [-1, 1], the encoder the
 * reverse (continuous tanh latent, before HBQ).
 */
public final class VaeNetwork implements AutoCloseable {
    private final OrtSession session;
    private final InferenceRuntime runtime;
    private final String input;

    private VaeNetwork(OrtSession session, InferenceRuntime runtime, String input) {
        this.session = session;
        this.runtime = runtime;
        this.input = input;
    }

    public static VaeNetwork decoder(ModelBundle bundle, InferenceRuntime runtime) {
        return new VaeNetwork(runtime.open(bundle.file("vae_decoder")), runtime, "z");
    }

    public static VaeNetwork encoder(ModelBundle bundle, InferenceRuntime runtime) {
        return new VaeNetwork(runtime.open(bundle.file("vae_encoder")), runtime, "frames");
    }

    /** A tensor and its shape. */
    public record Tensor(float[] data, long[] shape) {
    }

    public Tensor run(float[] data, long[] shape) {
        try (OnnxTensor in = OnnxTensor.createTensor(runtime.environment(), FloatBuffer.wrap(data), shape);
             OrtSession.Result result = session.run(Map.of(input, in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            FloatBuffer buffer = out.getFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return new Tensor(values, out.getInfo().getShape());
        } catch (OrtException e) {
            throw new IllegalStateException("VAE failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            // closing anyway
        }
    }
}
