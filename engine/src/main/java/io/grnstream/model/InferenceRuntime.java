package io.grnstream.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.grnstream.config.GrnConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions on the configured execution provider. CUDA is chosen by looking for
 * the CUDA 12 and cuDNN 9 libraries the GPU build loads, because ONNX Runtime lists CUDA among its
 * available providers even where there is none.
 */
public final class InferenceRuntime {
    private static final Logger log = LoggerFactory.getLogger(InferenceRuntime.class);
    static final List<String> CUDA_LIBRARIES = List.of("libcudart.so.12", "libcublasLt.so.12", "libcudnn.so.9");

    public enum Provider { CPU, CUDA }

    private final OrtEnvironment environment = OrtEnvironment.getEnvironment();
    private final String requested;
    private final boolean fallback;
    private final int intraOpThreads;
    private final int interOpThreads;
    private volatile Provider provider;

    public InferenceRuntime(GrnConfig config) {
        this(config.get(InferenceSettings.EXECUTION_PROVIDER), config.get(InferenceSettings.CUDA_FALLBACK),
                config.get(InferenceSettings.INTRA_OP_THREADS), config.get(InferenceSettings.INTER_OP_THREADS));
    }

    public InferenceRuntime(String requestedProvider, boolean fallbackToCpu, int intraOpThreads, int interOpThreads) {
        this.requested = requestedProvider;
        this.fallback = fallbackToCpu;
        this.intraOpThreads = intraOpThreads;
        this.interOpThreads = interOpThreads;
    }

    public OrtEnvironment environment() {
        return environment;
    }

    /** The provider sessions actually run on (known after the first session opened). */
    public Provider provider() {
        return provider;
    }

    /** "onnxruntime VERSION (PROVIDER)", for provenance; call after the first session opened. */
    public String describe() {
        return "onnxruntime " + environment.getVersion() + " (" + (provider == null ? "no session" : provider) + ")";
    }

    /** Stack for threads that enter ONNX Runtime: its graph optimiser recurses deeply, and the JVM's
     * default 1 MB stack ends the process with a bare SIGSEGV when it is exceeded. */
    public static final long NATIVE_STACK_BYTES = 64L * 1024 * 1024;

    /** A thread with a stack large enough to call into ONNX Runtime. */
    public static Thread nativeThread(Runnable body, String name) {
        return new Thread(null, body, name, NATIVE_STACK_BYTES);
    }

    public OrtSession open(Path model) {
        OrtSession[] session = new OrtSession[1];
        RuntimeException[] failure = new RuntimeException[1];
        Thread loader = nativeThread(() -> {
            try {
                session[0] = openHere(model);
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        }, "onnx-session-open");
        loader.start();
        try {
            loader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelBundleException("interrupted while opening " + model, e);
        }
        if (failure[0] != null) {
            throw failure[0];
        }
        return session[0];
    }

    private OrtSession openHere(Path model) {
        boolean wantCuda = requested.equals("cuda") || (requested.equals("auto") && cudaLibrariesPresent());
        try {
            if (wantCuda) {
                try (OrtSession.SessionOptions options = options()) {
                    options.addCUDA(0);
                    OrtSession session = environment.createSession(model.toString(), options);
                    provider = Provider.CUDA;
                    return session;
                } catch (OrtException e) {
                    if (requested.equals("cuda") && !fallback) {
                        throw new ModelBundleException("CUDA was requested for " + model.getFileName() + " but cannot start ("
                                + e.getMessage() + "); set inference.cuda.fallback.to.cpu=true to run on the CPU", e);
                    }
                    log.warn("CUDA unavailable for {} ({}); running on the CPU", model.getFileName(), e.getMessage());
                }
            }
            try (OrtSession.SessionOptions options = options()) {
                OrtSession session = environment.createSession(model.toString(), options);
                provider = Provider.CPU;
                return session;
            }
        } catch (OrtException e) {
            throw new ModelBundleException("cannot open " + model + ": " + e.getMessage(), e);
        }
    }

    private OrtSession.SessionOptions options() throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        if (intraOpThreads > 0) {
            options.setIntraOpNumThreads(intraOpThreads);
        }
        options.setInterOpNumThreads(interOpThreads);
        return options;
    }

    /** True when the CUDA libraries the GPU provider needs can be found on the library path. */
    static boolean cudaLibrariesPresent() {
        List<Path> dirs = new ArrayList<>();
        for (String var : new String[] {"LD_LIBRARY_PATH", "CUDA_HOME"}) {
            String value = System.getenv(var);
            if (value != null) {
                for (String part : value.split(":")) {
                    if (!part.isBlank()) {
                        dirs.add(Path.of(part));
                        dirs.add(Path.of(part, "lib64"));
                    }
                }
            }
        }
        for (String d : new String[] {"/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"}) {
            dirs.add(Path.of(d));
        }
        return CUDA_LIBRARIES.stream().allMatch(lib -> dirs.stream().anyMatch(d -> Files.exists(d.resolve(lib))));
    }
}
