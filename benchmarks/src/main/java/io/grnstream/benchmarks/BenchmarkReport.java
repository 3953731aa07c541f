package io.grnstream.benchmarks;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the HBQ codec benchmark and prints, from that one run, each codec direction's throughput
 * as a ratio to System.arraycopy of the same float data (target: both at least 0.25).
 */
public final class BenchmarkReport {
    private BenchmarkReport() {
    }

    /** Codec throughput as ratios to System.arraycopy of the same floats. */
    record CodecResult(double quantizeVsCopy, double dequantizeVsCopy) {
    }

    public static void main(String[] args) throws RunnerException {
        codec(new OptionsBuilder().include(HbqCodecBenchmark.class.getSimpleName()).build());
    }

    /** Runs the codec benchmark with {@code options} and prints its table. */
    static CodecResult codec(Options options) throws RunnerException {
        Collection<RunResult> results = new Runner(options).run();
        Map<String, Double> msPerOp = new HashMap<>();
        for (RunResult r : results) {
            String name = r.getParams().getBenchmark();
            msPerOp.put(name.substring(name.lastIndexOf('.') + 1), r.getPrimaryResult().getScore());
        }
        double copy = msPerOp.get("arraycopyFloats");
        int floats = HbqCodecBenchmark.CHANNELS * HbqCodecBenchmark.TOKENS;
        System.out.printf("%nHBQ codec, latent [64, 21, 30, 53] = %,d floats (%.1f MB), M = 4, %s, %d cores%n",
                floats, floats * 4 / 1e6, System.getProperty("java.vm.version"), Runtime.getRuntime().availableProcessors());
        System.out.printf("%-22s %10s %12s %22s%n", "operation", "ms/op", "Mfloats/s", "throughput vs arraycopy");
        for (String op : new String[] {"arraycopyFloats", "quantizeAndPack", "unpackAndDequantize"}) {
            double ms = msPerOp.get(op);
            System.out.printf("%-22s %10.3f %12.1f %22.3f%n", op, ms, floats / ms / 1e3, copy / ms);
        }
        return new CodecResult(copy / msPerOp.get("quantizeAndPack"), copy / msPerOp.get("unpackAndDequantize"));
    }
}
