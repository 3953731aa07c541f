package io.grnstream.benchmarks;

import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.SamplerDefaults;
import io.grnstream.model.TextEncoder;
import io.grnstream.refine.RefinementEngine;
import io.grnstream.refine.RefinementJob;
import io.grnstream.refine.RefinementRequest;
import io.grnstream.refine.RefinementResult;
import io.grnstream.refine.StepPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The refinement engine's figures, measured in one run on the bundled model:
 * Java-side share of step time, batch 4 vs batch 1 throughput, and forward passes of the
 * entropy-guided policy vs the fixed 50-step sampler.
 * <pre>java -cp benchmarks/target/benchmarks.jar io.grnstream.benchmarks.EngineBenchmark [bundle-dir] [threads] [sampling-threads]</pre>
 * Sampling threads run the per-bit work between passes (default: the refiner worker's automatic choice on the CPU).
 */
public final class EngineBenchmark {
    private static final String[] PROMPTS = {
        "a red circle moving left on a black background",
        "a yellow triangle moving up and a blue square moving right on a striped background",
        "a green square moving down on a gray background",
        "a magenta circle moving right and a cyan triangle moving left on a black background",
        "a blue triangle moving up on a striped background",
        "a cyan square moving left on a gray background",
        "a yellow circle moving down and a red square moving up on a gray background",
        "a green triangle moving right on a black background",
    };

    private EngineBenchmark() {
    }

    /** The engine's figures from one run. */
    record Result(double javaSideShare, double batch1Seconds, double batch4Seconds, double meanEntropyPasses) {
        double batchSpeedup() {
            return batch1Seconds / batch4Seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "models/grn-tiny-shapes");
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int samplingThreads = args.length > 2 ? Integer.parseInt(args[2])
                : RefinementEngine.samplingThreads(0, InferenceRuntime.Provider.CPU, threads);
        measure(dir, threads, samplingThreads);
    }

    /** Measures and prints the engine's figures. */
    static Result measure(Path dir, int threads) throws Exception {
        return measure(dir, threads, RefinementEngine.samplingThreads(0, InferenceRuntime.Provider.CPU, threads));
    }

    static Result measure(Path dir, int threads, int samplingThreads) throws Exception {
        ModelBundle bundle = ModelBundle.load(dir);
        InferenceRuntime runtime = new InferenceRuntime("cpu", false, threads, 1);
        SamplerDefaults d = bundle.samplerDefaults();
        try (RefinerNetwork network = new RefinerNetwork(bundle, runtime); TextEncoder text = new TextEncoder(bundle, runtime)) {
            run(network, text, samplingThreads, 1, List.of(PROMPTS).subList(0, 2), new StepPolicy.Fixed(10), d); // warm-up

            long inferenceBefore = network.inferenceNanos();
            long t0 = System.nanoTime();
            run(network, text, samplingThreads, 1, List.of(PROMPTS).subList(0, 4), new StepPolicy.Fixed(50), d);
            long total = System.nanoTime() - t0;
            double outside = 1.0 - (network.inferenceNanos() - inferenceBefore) / (double) total;

            long t1 = System.nanoTime();
            run(network, text, samplingThreads, 1, List.of(PROMPTS), new StepPolicy.Fixed(50), d);
            double batch1 = (System.nanoTime() - t1) / 1e9;
            long t4 = System.nanoTime();
            run(network, text, samplingThreads, 4, List.of(PROMPTS), new StepPolicy.Fixed(50), d);
            double batch4 = (System.nanoTime() - t4) / 1e9;

            StepPolicy entropy = new StepPolicy.EntropyGuided(d.warmupSteps(), d.entropyK(), d.entropyB(), d.minSteps(),
                    d.maxSteps());
            List<RefinementResult> guided = run(network, text, samplingThreads, 4, List.of(PROMPTS), entropy, d);
            double meanPasses = guided.stream().mapToInt(RefinementResult::stepsUsed).average().orElseThrow();

            System.out.printf("%nRefinement engine, bundle %s (%s), %d intra-op threads, %d sampling threads, %s, %d cores%n",
                    bundle.id(), bundle.sha256().substring(0, 12), threads, samplingThreads, System.getProperty("java.vm.version"),
                    Runtime.getRuntime().availableProcessors());
            System.out.printf("%-52s %s%n", "measure", "value");
            System.out.printf("%-52s %.4f%n", "Java-side time outside ONNX Runtime / total", outside);
            System.out.printf("%-52s %.2f s vs %.2f s = %.2fx%n", "8 requests x 50 steps: batch 4 vs batch 1 throughput",
                    batch4, batch1, batch1 / batch4);
            System.out.printf("%-52s %.1f / 50 = %.2f%n", "mean passes entropy-guided / fixed 50", meanPasses, meanPasses / 50);
            return new Result(outside, batch1, batch4, meanPasses);
        }
    }

    private static List<RefinementResult> run(RefinerNetwork network, TextEncoder text, int samplingThreads, int batch, List<String> prompts,
                                              StepPolicy policy, SamplerDefaults d) throws Exception {
        List<RefinementJob> jobs = new ArrayList<>();
        List<RefinementResult> results = new ArrayList<>();
        try (RefinementEngine engine = new RefinementEngine(network, text, batch, samplingThreads)) {
            long seed = 1;
            for (String prompt : prompts) {
                jobs.add(engine.submit(new RefinementRequest("bench-" + seed, prompt, "", seed++, d.guidanceScale(),
                        d.temperature(), policy, null)));
            }
            for (RefinementJob job : jobs) {
                results.add(job.result().get(10, TimeUnit.MINUTES));
            }
        }
        return results;
    }
}
