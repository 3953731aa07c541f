package io.grnstream.refine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The parallel path of the per-bit arithmetic, on maps large enough to take it. */
class PassArithmeticTest {
    private static final int BITS = 3 * PassArithmetic.PARALLEL_MIN_BITS + 12_345;   // chunks, plus a ragged last one

    private static List<PassArithmetic.Work> pass(long seed, int pass, StepPolicy policy) {
        Random random = new Random(seed);
        List<PassArithmetic.Work> works = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            RefinementJob job = new RefinementJob(new RefinementRequest("r" + r, "p", "", seed + r, r == 0 ? 2.0 : 1.0, 0.8,
                    policy, null), null, null, BITS, 50);
            job.pass = pass;
            float[] conditional = new float[BITS];
            float[] unconditional = new float[BITS];
            for (int i = 0; i < BITS; i++) {
                conditional[i] = (float) (random.nextGaussian() * 3);
                unconditional[i] = (float) (random.nextGaussian() * 3);
            }
            works.add(new PassArithmetic.Work(job, conditional, job.guided() ? unconditional : null));
        }
        return works;
    }

    private static List<PassArithmetic.Work> run(int threads) {
        List<PassArithmetic.Work> works = pass(17, 3, new StepPolicy.Fixed(50));
        try (PassArithmetic arithmetic = new PassArithmetic(threads)) {
            arithmetic.sample(works);
            for (PassArithmetic.Work work : works) {
                work.keepRatio = 0.4;
            }
            arithmetic.keep(works);
        }
        return works;
    }

    @Test
    void manyThreadsGiveTheSameBitsEntropyAndKeepCountAsOne() {
        List<PassArithmetic.Work> single = run(1);
        List<PassArithmetic.Work> parallel = run(3);
        for (int r = 0; r < single.size(); r++) {
            PassArithmetic.Work a = single.get(r);
            PassArithmetic.Work b = parallel.get(r);
            assertArrayEquals(a.sampled, b.sampled);
            assertArrayEquals(a.job.current, b.job.current);
            assertEquals(a.entropy(), b.entropy(), 0.0);
            assertEquals(a.kept(), b.kept());
            double keptShare = a.kept() / (double) BITS;
            assertTrue(Math.abs(keptShare - 0.4) < 0.01, "keep mask follows the ratio: " + keptShare);
        }
    }

    @Test
    void sampledBitsFollowTheGuidedTemperedProbability() {
        List<PassArithmetic.Work> works = run(3);
        PassArithmetic.Work guided = works.get(0);
        double expected = 0;
        int ones = 0;
        for (int i = 0; i < BITS; i++) {
            double l = guided.unconditional[i] + 2.0 * (guided.conditional[i] - guided.unconditional[i]);
            expected += 1.0 / (1.0 + Math.exp(-l / 0.8));
            ones += guided.sampled[i];
        }
        assertEquals(expected / BITS, ones / (double) BITS, 0.01);
    }
}
