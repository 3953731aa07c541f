package io.grnstream.refiner;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import org.junit.jupiter.api.Test;

/** The ONNX Runtime jar on the classpath loads its native library on this host. */
class OnnxRuntimeBuildTest {

    @Test
    void nativeRuntimeLoadsWithTheCpuProvider() {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        assertTrue(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CPU), env.toString());
    }
}
