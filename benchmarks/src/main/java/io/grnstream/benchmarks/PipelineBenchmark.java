package io.grnstream.benchmarks;

import io.grnstream.assembler.Mp4Muxer;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.cli.LocalPipeline;
import io.grnstream.client.GrnClient;
import io.grnstream.client.RequestHandle;
import io.grnstream.encoder.LatentFrameDecoder;
import io.grnstream.geometry.VideoGeometry;
import io.grnstream.hbq.HbqCodec;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.TextEncoder;
import io.grnstream.model.VaeNetwork;
import io.grnstream.refine.RefinementEngine;
import io.grnstream.refine.RefinementRequest;
import io.grnstream.refine.RequestResolver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's figures, measured in one run on the bundled model: end-to-end time through Kafka
 * and every stage vs the same engine, decode and mux called in-process; throughput with 2 refiner
 * workers vs 1 (one inference thread each); MP4 encode speed vs real time.
 * <pre>java -cp benchmarks/target/benchmarks.jar io.grnstream.benchmarks.PipelineBenchmark [bundle-dir]</pre>
 */
public final class PipelineBenchmark {
    private static final int STEPS = 20;
    /** Requests timed one after another on each side; the medians are compared. */
    private static final int SEQUENTIAL = 12;
    /** Untimed requests first on each side, so JIT, ONNX Runtime and FFmpeg start-up costs are not counted. */
    private static final int WARM_UP = 2;

    private PipelineBenchmark() {
    }

    private static GenerationRequest request(String id, int i) {
        String[] prompts = {"a red circle moving left on a black background", "a blue square moving up on a gray background",
            "a green triangle moving right on a striped background", "a yellow circle moving down on a black background"};
        return GenerationRequest.newBuilder().setRequestId(id).setPrompt(prompts[i % prompts.length]).setSeed(i)
                .setStepPolicy(new FixedSteps(STEPS)).build();
    }

    /** The pipeline's figures from one run (seconds). */
    record Result(double pipelinePerRequest, double inProcessPerRequest, double oneWorkerBurst, double twoWorkerBurst,
                  double encodePerVideo, double videoSeconds) {
        double overhead() {
            return pipelinePerRequest / inProcessPerRequest - 1;
        }

        double workerSpeedup() {
            return oneWorkerBurst / twoWorkerBurst;
        }

        double encodeRealTime() {
            return videoSeconds / encodePerVideo;
        }
    }

    public static void main(String[] args) throws Exception {
        measure(Path.of(args.length > 0 ? args[0] : "models/grn-tiny-shapes").toAbsolutePath());
    }

    /** Measures and prints the pipeline's figures (on a thread with a stack big enough for ONNX Runtime). */
    static Result measure(Path model) throws Exception {
        Result[] result = new Result[1];
        Thread main = InferenceRuntime.nativeThread(() -> {
            try {
                result[0] = run(model);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "pipeline-benchmark");
        main.start();
        main.join();
        if (result[0] == null) {
            throw new IllegalStateException("the pipeline benchmark failed; see above");
        }
        return result[0];
    }

    private static Result run(Path model) throws Exception {
        Map<String, String> oneThread = Map.of("inference.intra.op.threads", "1", "refiner.max.batch", "1",
                "assembler.display.min.side", "256");

        // In-process: the same engine, per-latent-frame decode and mux, no Kafka.
        ModelBundle bundle = ModelBundle.load(model);
        InferenceRuntime runtime = new InferenceRuntime("cpu", false, 1, 1);
        double[] inProcess = new double[SEQUENTIAL];
        double[] encode = new double[SEQUENTIAL];
        double[] decode = new double[SEQUENTIAL];
        VideoGeometry g = bundle.defaultGeometry();
        try (RefinerNetwork network = new RefinerNetwork(bundle, runtime); TextEncoder text = new TextEncoder(bundle, runtime);
             RefinementEngine engine = new RefinementEngine(network, text, 1); VaeNetwork vae = VaeNetwork.decoder(bundle, runtime)) {
            RequestResolver resolver = new RequestResolver(bundle);
            LatentFrameDecoder decoder = new LatentFrameDecoder(vae);
            HbqCodec codec = new HbqCodec(bundle.channels(), bundle.hbqRounds());
            for (int i = -WARM_UP; i < SEQUENTIAL; i++) {   // the warm-up runs every part once, untimed
                long t0 = System.nanoTime();
                RefinementRequest r = resolver.resolve(request("in-process-" + i, Math.floorMod(i, 64)), null).refinement();
                byte[] bits = engine.submit(r).result().get(10, TimeUnit.MINUTES).bits();
                float[] latent = new float[g.channels() * g.tokens()];
                codec.dequantize(bits, g.tokens(), latent);
                Path mp4 = Files.createTempFile("bench-", ".mp4");
                long m0 = System.nanoTime();
                long decodeNanos = 0;
                try (Mp4Muxer muxer = new Mp4Muxer(mp4, g.pixelWidth() * 4, g.pixelHeight() * 4, g.fps(), "libopenh264", 0.25)) {
                    io.grnstream.assembler.FrameScaler scaler = new io.grnstream.assembler.FrameScaler(
                            io.grnstream.assembler.FrameScaler.Filter.NEAREST, 4);
                    byte[] scaled = new byte[g.pixelWidth() * 4 * g.pixelHeight() * 4 * 3];
                    for (int t = 0; t < g.latentFrames(); t++) {
                        long d0 = System.nanoTime();
                        byte[] rgb = LatentFrameDecoder.toRgb24(decoder.decode(latent, g, t));
                        decodeNanos += System.nanoTime() - d0;
                        int frameBytes = g.pixelWidth() * g.pixelHeight() * 3;
                        for (int f = 0; f < rgb.length / frameBytes; f++) {
                            scaler.scale(rgb, f * frameBytes, g.pixelWidth(), g.pixelHeight(), scaled);
                            muxer.write(scaled, 0);
                        }
                    }
                    muxer.finish();
                }
                long end = System.nanoTime();
                Files.delete(mp4);
                if (i >= 0) {
                    // The VAE decode runs inside the mux loop; it is timed on its own and left out of encoding.
                    decode[i] = decodeNanos / 1e9;
                    encode[i] = (end - m0 - decodeNanos) / 1e9;
                    inProcess[i] = (end - t0) / 1e9;
                }
            }
        }

        double[] pipeline = new double[SEQUENTIAL];
        double oneWorker;
        double twoWorkers;
        int concurrent = 8;
        Path work = Files.createTempDirectory("grn-bench-");
        try (LocalPipeline local = LocalPipeline.start(work.resolve("a"), model, null, 1, oneThread);
             GrnClient client = new GrnClient(local.clientConfig())) {
            for (int i = -WARM_UP; i < SEQUENTIAL; i++) {
                long t0 = System.nanoTime();
                client.submit(request("seq-" + i, Math.floorMod(i, 64))).video().get(10, TimeUnit.MINUTES);
                if (i >= 0) {
                    pipeline[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            oneWorker = burst(client, "one-", concurrent);
        }
        try (LocalPipeline local = LocalPipeline.start(work.resolve("b"), model, null, 2, oneThread);
             GrnClient client = new GrnClient(local.clientConfig())) {
            client.submit(request("warm", 99)).video().get(10, TimeUnit.MINUTES);
            twoWorkers = burst(client, "two-", concurrent);
        }

        double videoSeconds = g.frames() / (double) g.fps();
        double pipelineMedian = median(pipeline);
        double inProcessMedian = median(inProcess);
        double encodeMedian = median(encode);
        System.out.printf("%nPipeline benchmark, bundle %s (%s), %d steps per request, %s, %d cores%n", bundle.id(),
                bundle.sha256().substring(0, 12), STEPS, System.getProperty("java.vm.version"),
                Runtime.getRuntime().availableProcessors());
        System.out.printf("%-58s %s%n", "measure", "value");
        System.out.printf("%-58s %.2f s vs %.2f s: overhead %.1f%% (quartiles %.2f-%.2f s vs %.2f-%.2f s)%n",
                "one request end to end: pipeline vs in-process, median of " + SEQUENTIAL, pipelineMedian, inProcessMedian,
                100 * (pipelineMedian / inProcessMedian - 1), quantile(pipeline, 0.25), quantile(pipeline, 0.75),
                quantile(inProcess, 0.25), quantile(inProcess, 0.75));
        System.out.printf("%-58s %.2f s vs %.2f s = %.2fx%n", concurrent + " requests: 2 refiner workers vs 1 (1 thread each)",
                twoWorkers, oneWorker, oneWorker / twoWorkers);
        System.out.printf("%-58s %.3f s for %.3f s of video = %.1fx real time%n", "MP4 encode (17 frames 256x256, OpenH264)",
                encodeMedian, videoSeconds, videoSeconds / encodeMedian);
        System.out.printf("%-58s %.1f ms (quartiles %.1f-%.1f ms)%n", "VAE decode of all " + g.latentFrames()
                + " latent frames, median", 1000 * median(decode), 1000 * quantile(decode, 0.25), 1000 * quantile(decode, 0.75));
        return new Result(pipelineMedian, inProcessMedian, oneWorker, twoWorkers, encodeMedian, videoSeconds);
    }

    static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /** Linear interpolation between order statistics. */
    static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        double at = q * (sorted.length - 1);
        int lo = (int) Math.floor(at);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    private static double burst(GrnClient client, String prefix, int n) throws Exception {
        long t0 = System.nanoTime();
        List<RequestHandle> handles = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            handles.add(client.submit(request(prefix + i, i)));
        }
        for (RequestHandle h : handles) {
            h.video().get(10, TimeUnit.MINUTES);
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}
