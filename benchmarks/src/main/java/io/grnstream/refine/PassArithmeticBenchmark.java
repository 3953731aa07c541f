package io.grnstream.refine;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Per-bit work of one pass (guidance, temperature, sampling, entropy, keep mask) on a full-size bit
 * map, on one sampling thread against one per core; in this package because that work is internal to
 * the engine.
 * <pre>java -cp benchmarks/target/benchmarks.jar io.grnstream.refine.PassArithmeticBenchmark [bits] [threads]</pre>
 * The default map is 2,097,152 bits: 8192 tokens of 256 bits (GRN's 64 channels x 4 rounds).
 */
public final class PassArithmeticBenchmark {
    private PassArithmeticBenchmark() {
    }

    public static void main(String[] args) {
        int bits = args.length > 0 ? Integer.parseInt(args[0]) : 8192 * 256;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        double one = secondsPerPass(bits, 1);
        double many = secondsPerPass(bits, threads);
        System.out.printf("per-bit work of one guided pass, %,d bits: 1 thread %.2f ms, %d threads %.2f ms = %.2fx%n",
                bits, one * 1e3, threads, many * 1e3, one / many);
    }

    /** Median over 15 timed passes, after 5 untimed ones. */
    public static double secondsPerPass(int bits, int threads) {
        Random random = new Random(1);
        float[] conditional = new float[bits];
        float[] unconditional = new float[bits];
        for (int i = 0; i < bits; i++) {
            conditional[i] = (float) (random.nextGaussian() * 3);
            unconditional[i] = (float) (random.nextGaussian() * 3);
        }
        RefinementJob job = new RefinementJob(new RefinementRequest("bench", "p", "", 7L, 3.0, 1.0, new StepPolicy.Fixed(50), null),
                null, null, bits, 50);
        double[] seconds = new double[20];
        try (PassArithmetic arithmetic = new PassArithmetic(threads)) {
            for (int s = 0; s < seconds.length; s++) {
                job.pass = s;
                List<PassArithmetic.Work> works = List.of(new PassArithmetic.Work(job, conditional, unconditional));
                long t0 = System.nanoTime();
                arithmetic.sample(works);
                works.get(0).keepRatio = StepSchedule.keepRatio((s + 1) / 49.0);
                arithmetic.keep(works);
                seconds[s] = (System.nanoTime() - t0) / 1e9;
            }
        }
        double[] timed = Arrays.copyOfRange(seconds, 5, seconds.length);
        Arrays.sort(timed);
        return timed[timed.length / 2];
    }
}
