package io.grnstream.model;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tokenizes with the bundle's {@code tokenizer.json} (HuggingFace tokenizers through DJL, forced to
 * its bundled CPU library so it never tries a download) and runs the text encoder. Ids are
 * truncated to the bundle's max length and right-padded with the pad id, mask 1 on real tokens,
 * exactly as the training code does. Recent prompts are cached.
 */
public final class TextEncoder implements AutoCloseable {
    private static final int CACHE_SIZE = 256;

    static {
        // DJL picks a CUDA flavour of its native library on GPU hosts and tries to download it.
        System.setProperty("RUST_FLAVOR", System.getProperty("RUST_FLAVOR", "cpu"));
        System.setProperty("ai.djl.offline", System.getProperty("ai.djl.offline", "true"));
    }

    private final HuggingFaceTokenizer tokenizer;
    private final OrtSession session;
    private final InferenceRuntime runtime;
    private final int maxLength;
    private final long padId;
    private final Map<String, TextCondition> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TextCondition> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    public TextEncoder(ModelBundle bundle, InferenceRuntime runtime) {
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(bundle.tokenizerFile(), Map.of("addSpecialTokens", "true"));
        } catch (IOException e) {
            throw new ModelBundleException("cannot load " + bundle.tokenizerFile() + ": " + e.getMessage(), e);
        }
        this.runtime = runtime;
        this.session = runtime.open(bundle.file("text_encoder"));
        this.maxLength = bundle.textMaxLength();
        this.padId = bundle.padId();
    }

    /** Token ids and mask of a prompt, {@code [2][maxLength]}: row 0 ids, row 1 mask. */
    public long[][] tokenize(String text) {
        Encoding encoding = tokenizer.encode(text);
        long[] raw = encoding.getIds();
        long[] ids = new long[maxLength];
        long[] mask = new long[maxLength];
        Arrays.fill(ids, padId);
        int n = Math.min(raw.length, maxLength);
        System.arraycopy(raw, 0, ids, 0, n);
        Arrays.fill(mask, 0, n, 1L);
        return new long[][] {ids, mask};
    }

    public synchronized TextCondition encode(String text) {
        TextCondition cached = cache.get(text);
        if (cached != null) {
            return cached;
        }
        long[][] tokens = tokenize(text);
        long[] shape = {1, maxLength};
        try (OnnxTensor ids = OnnxTensor.createTensor(runtime.environment(), LongBuffer.wrap(tokens[0]), shape);
             OnnxTensor mask = OnnxTensor.createTensor(runtime.environment(), LongBuffer.wrap(tokens[1]), shape);
             OrtSession.Result result = session.run(Map.of("input_ids", ids, "attention_mask", mask))) {
            OnnxTensor k = (OnnxTensor) result.get("text_k").orElseThrow();
            OnnxTensor v = (OnnxTensor) result.get("text_v").orElseThrow();
            long[] full = k.getInfo().getShape();
            TextCondition condition = new TextCondition(copy(k.getFloatBuffer()), copy(v.getFloatBuffer()), tokens[1],
                    Arrays.copyOfRange(full, 1, full.length));
            cache.put(text, condition);
            return condition;
        } catch (OrtException e) {
            throw new IllegalStateException("text encoder failed: " + e.getMessage(), e);
        }
    }

    private static float[] copy(FloatBuffer buffer) {
        float[] out = new float[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    @Override
    public void close() {
        tokenizer.close();
        try {
            session.close();
        } catch (OrtException e) {
            // closing anyway
        }
    }
}
