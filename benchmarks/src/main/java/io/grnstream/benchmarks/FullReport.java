package io.grnstream.benchmarks;

import io.grnstream.refine.PassArithmeticBenchmark;
import java.nio.file.Path;
import java.time.LocalDate;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Every ratio the README promises, measured in one run and printed as one Markdown table: pipeline
 * end to end vs in-process, 2 refiner workers vs 1, entropy-guided vs fixed passes, batch 4 vs 1,
 * Java-side share of a step, parallel per-bit work on a full-size map, HBQ codec vs memory copy, MP4
 * encode vs real time.
 * <pre>java -cp benchmarks/target/benchmarks.jar io.grnstream.benchmarks.FullReport [bundle-dir]</pre>
 */
public final class FullReport {
    private FullReport() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args.length > 0 ? args[0] : "models/grn-tiny-shapes").toAbsolutePath();
        BenchmarkReport.CodecResult codec = BenchmarkReport.codec(new OptionsBuilder()
                .include(HbqCodecBenchmark.class.getSimpleName()).build());
        EngineBenchmark.Result engine = EngineBenchmark.measure(model, 2);
        PipelineBenchmark.Result pipeline = PipelineBenchmark.measure(model);
        int cores = Runtime.getRuntime().availableProcessors();
        int fullSizeBits = 8192 * 256;
        double perBitOne = PassArithmeticBenchmark.secondsPerPass(fullSizeBits, 1);
        double perBitAll = PassArithmeticBenchmark.secondsPerPass(fullSizeBits, cores);

        System.out.printf("%nGRN Stream benchmark report, %s, %d cores, Java %s, %s%n%n", LocalDate.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.version"), System.getProperty("os.arch"));
        System.out.println("| measure | result | target |");
        System.out.println("|---|---|---|");
        row("pipeline end to end vs engine + decode + mux in-process, per request (median of 12, both warmed up)",
                String.format("%.2f s vs %.2f s (%+.0f%%)", pipeline.pipelinePerRequest(), pipeline.inProcessPerRequest(),
                        100 * pipeline.overhead()), "<= +5%");
        row("8 requests, 2 refiner workers vs 1 (one inference thread each)",
                String.format("%.2f s vs %.2f s = %.2fx", pipeline.twoWorkerBurst(), pipeline.oneWorkerBurst(),
                        pipeline.workerSpeedup()), ">= 1.8x");
        row("forward passes, entropy-guided vs fixed 50", String.format("%.1f / 50 = %.2f", engine.meanEntropyPasses(),
                engine.meanEntropyPasses() / 50), "<= 0.60");
        row("refinement throughput, batch 4 vs batch 1", String.format("%.2fx", engine.batchSpeedup()), ">= 1.5x");
        row("Java-side share of refinement time", String.format("%.3f", engine.javaSideShare()), "<= 0.03");
        row("per-bit work of a 2M-bit pass, " + cores + " sampling threads vs 1",
                String.format("%.1f ms vs %.1f ms = %.2fx", perBitAll * 1e3, perBitOne * 1e3, perBitOne / perBitAll), "reported");
        row("HBQ quantize + pack vs System.arraycopy", String.format("%.3f", codec.quantizeVsCopy()), ">= 0.25");
        row("HBQ unpack + dequantize vs System.arraycopy", String.format("%.3f", codec.dequantizeVsCopy()), ">= 0.25");
        row("MP4 encode vs real time", String.format("%.1fx", pipeline.encodeRealTime()), "reported");
    }

    private static void row(String measure, String result, String target) {
        System.out.printf("| %s | %s | %s |%n", measure, result, target);
    }
}
