package io.grnstream.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.List;
import java.util.Map;

/**
 * The GRN refinement step network (GRN-METHOD.md 7.3): for a batch of rows, each a current bit map
 * with its progress and its stream's text conditioning, the logit gap of every bit. A thin
 * wrapper: inputs are assembled here, everything else is the caller's.
 */
public final class RefinerNetwork implements AutoCloseable {
    private final OrtSession session;
    private final InferenceRuntime runtime;
    private final int tokens;
    private final int bitsPerToken;
    private final java.util.concurrent.atomic.AtomicLong inferenceNanos = new java.util.concurrent.atomic.AtomicLong();

    public RefinerNetwork(ModelBundle bundle, InferenceRuntime runtime) {
        this.runtime = runtime;
        this.session = runtime.open(bundle.file("refiner_step"));
        this.tokens = bundle.tokens();
        this.bitsPerToken = bundle.bitsPerToken();
    }

    /** One row of a forward pass: the bit map (0/1 bytes, [N * K]), its progress and its stream's text. */
    public record Row(byte[] bits, float progress, TextCondition text) {
    }

    /** Logit gaps of every row, {@code [rows][N * K]}. */
    public float[][] predict(List<Row> rows) {
        int b = rows.size();
        int n = tokens * bitsPerToken;
        TextCondition first = rows.get(0).text();
        int textSize = first.size();
        int maskLength = first.mask().length;
        FloatBuffer bits = direct(b * n);
        FloatBuffer progress = direct(b);
        FloatBuffer keys = direct(b * textSize);
        FloatBuffer values = direct(b * textSize);
        LongBuffer mask = ByteBuffer.allocateDirect(b * maskLength * 8).order(ByteOrder.nativeOrder()).asLongBuffer();
        float[] staged = new float[n];
        for (Row row : rows) {
            byte[] rowBits = row.bits();
            for (int i = 0; i < n; i++) {
                staged[i] = rowBits[i];
            }
            bits.put(staged);
            progress.put(row.progress());
            keys.put(row.text().keys());
            values.put(row.text().values());
            mask.put(row.text().mask());
        }
        bits.flip();
        progress.flip();
        keys.flip();
        values.flip();
        mask.flip();
        long[] textShape = new long[first.shape().length + 1];
        textShape[0] = b;
        System.arraycopy(first.shape(), 0, textShape, 1, first.shape().length);
        var env = runtime.environment();
        long started = System.nanoTime();
        try (OnnxTensor tBits = OnnxTensor.createTensor(env, bits, new long[] {b, tokens, bitsPerToken});
             OnnxTensor tProgress = OnnxTensor.createTensor(env, progress, new long[] {b});
             OnnxTensor tKeys = OnnxTensor.createTensor(env, keys, textShape);
             OnnxTensor tValues = OnnxTensor.createTensor(env, values, textShape);
             OnnxTensor tMask = OnnxTensor.createTensor(env, mask, new long[] {b, maskLength});
             OrtSession.Result result = session.run(Map.of("bits", tBits, "progress", tProgress, "text_k", tKeys,
                     "text_v", tValues, "text_mask", tMask))) {
            inferenceNanos.addAndGet(System.nanoTime() - started);
            FloatBuffer gaps = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[][] out = new float[b][n];
            for (int r = 0; r < b; r++) {
                gaps.get(out[r]);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("refiner step failed: " + e.getMessage(), e);
        }
    }

    /** Time spent inside ONNX Runtime (tensor creation and session run) since creation. */
    public long inferenceNanos() {
        return inferenceNanos.get();
    }

    public int tokens() {
        return tokens;
    }

    public int bitsPerToken() {
        return bitsPerToken;
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(floats * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
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
