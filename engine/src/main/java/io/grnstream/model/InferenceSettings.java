package io.grnstream.model;

import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;
import io.grnstream.config.Validator;
import java.util.List;

/** Settings of the ONNX Runtime sessions, shared by the refiner workers and the decoder stage. */
public final class InferenceSettings {
    private InferenceSettings() {
    }

    public static final Setting<String> MODEL_DIR = Setting.of("model.dir", SettingType.STRING, "models/grn-tiny-shapes",
            "model bundle directory (manifest.json, ONNX files, tokenizer)").validatedBy(Validator.nonBlank());

    public static final Setting<String> EXECUTION_PROVIDER = Setting.of("inference.execution.provider",
            SettingType.STRING, "auto", "cpu, cuda, or auto (CUDA when its libraries are present, else CPU)")
            .validatedBy(Validator.oneOf("auto", "cpu", "cuda"));

    public static final Setting<Boolean> CUDA_FALLBACK = Setting.of("inference.cuda.fallback.to.cpu",
            SettingType.BOOLEAN, false, "with provider cuda: run on the CPU when CUDA cannot start instead of failing");

    public static final Setting<Integer> INTRA_OP_THREADS = Setting.of("inference.intra.op.threads", SettingType.INT, 0,
            "threads inside one ONNX operator; 0 lets ONNX Runtime choose").validatedBy(Validator.between(0, 256));

    public static final Setting<Integer> INTER_OP_THREADS = Setting.of("inference.inter.op.threads", SettingType.INT, 1,
            "threads across independent operators").validatedBy(Validator.between(1, 64));

    public static List<Setting<?>> all() {
        return List.of(MODEL_DIR, EXECUTION_PROVIDER, CUDA_FALLBACK, INTRA_OP_THREADS, INTER_OP_THREADS);
    }
}
