package io.grnstream.refine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.grnstream.errors.RequestCancelledException;
import io.grnstream.model.BundleFixtures;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.TextEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RefinementEngineTest {
    private static ModelBundle bundle;
    private static InferenceRuntime runtime;
    private static RefinerNetwork network;
    private static TextEncoder text;

    @BeforeAll
    static void load() {
        bundle = ModelBundle.load(BundleFixtures.BUNDLE);
        runtime = new InferenceRuntime("cpu", false, 2, 1);
        network = new RefinerNetwork(bundle, runtime);
        text = new TextEncoder(bundle, runtime);
    }

    @AfterAll
    static void close() {
        network.close();
        text.close();
    }

    private static StepPolicy policyOf(JsonNode run) {
        JsonNode s = run.path("schedule");
        if (run.path("mode").asText().equals("fixed")) {
            return new StepPolicy.Fixed(s.path("Tmax").asInt());
        }
        return new StepPolicy.EntropyGuided(s.path("wp").asInt(), s.path("k").asDouble(), s.path("b").asDouble(),
                s.path("Tmin").asInt(), s.path("Tmax").asInt());
    }

    private static RefinementRequest request(String id, JsonNode run, StepListener listener) {
        return new RefinementRequest(id, run.path("prompt").asText(), run.path("negative_prompt").asText(),
                run.path("seed").asLong(), run.path("guidance_scale").asDouble(), run.path("temperature").asDouble(),
                policyOf(run), listener);
    }

    @Test
    void countersGiveThePythonSamplersDraws() throws Exception {
        for (JsonNode run : BundleFixtures.json("sampler_runs.json").path("runs")) {
            long seed = run.path("seed").asLong();
            JsonNode first = run.path("first_uniforms");
            for (int i = 0; i < first.size(); i++) {
                assertEquals(first.get(i).asDouble(), CounterRandom.uniform(seed, i), 0.0);
            }
        }
    }

    @Test
    void javaLoopReproducesThePythonReferenceSampler() throws Exception {
        JsonNode runs = BundleFixtures.json("sampler_runs.json").path("runs");
        try (RefinementEngine engine = new RefinementEngine(network, text, 4)) {
            for (String name : List.of("fixed", "entropy")) {
                JsonNode run = runs.path(name);
                RefinementResult result = engine.submit(request(name, run, null)).result().get(120, TimeUnit.SECONDS);
                byte[] expected = BundleFixtures.npy("sampler_" + name + ".final_bits").bytes();
                int same = 0;
                for (int i = 0; i < expected.length; i++) {
                    same += expected[i] == result.bits()[i] ? 1 : 0;
                }
                double agreement = same / (double) expected.length;
                System.out.printf("parity %s: %d of %d bits agree (%.5f), %d passes%n", name, same, expected.length,
                        agreement, result.stepsUsed());
                assertTrue(agreement >= 0.999, name + ": " + same + " of " + expected.length + " bits agree");
                assertEquals(run.path("passes").asInt(), result.stepsUsed(), name + " passes");
                JsonNode entropy = run.path("entropy_per_step");
                for (int s = 0; s < result.stepsUsed(); s++) {
                    assertEquals(entropy.get(s).asDouble(), result.entropyTrace()[s], 1e-4, name + " entropy at pass " + s);
                }
            }
        }
    }

    @Test
    void aRequestsBitsAreTheSameAloneAndInAMixedBatch() throws Exception {
        JsonNode runs = BundleFixtures.json("sampler_runs.json").path("runs");
        RefinementRequest probe = new RefinementRequest("probe", "a green square moving up on a striped background", "",
                99L, 3.0, 1.0, new StepPolicy.Fixed(12), null);
        byte[] alone;
        try (RefinementEngine engine = new RefinementEngine(network, text, 4)) {
            alone = engine.submit(probe).result().get(120, TimeUnit.SECONDS).bits();
        }
        try (RefinementEngine engine = new RefinementEngine(network, text, 4)) {
            List<RefinementJob> jobs = new ArrayList<>();
            jobs.add(engine.submit(request("a", runs.path("entropy"), null)));
            jobs.add(engine.submit(new RefinementRequest("b", "a cyan circle moving down on a gray background", "", 5L,
                    1.0, 1.2, new StepPolicy.Fixed(7), null)));
            RefinementJob target = engine.submit(probe);
            jobs.add(engine.submit(new RefinementRequest("c", "a red triangle moving left on a black background", "", 6L,
                    4.0, 1.0, new StepPolicy.Fixed(20), null)));
            assertArrayEquals(alone, target.result().get(120, TimeUnit.SECONDS).bits());
            for (RefinementJob job : jobs) {
                job.result().get(120, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void automaticSamplingThreadsLeaveOnnxRuntimesCoresAlone() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertEquals(5, RefinementEngine.samplingThreads(5, InferenceRuntime.Provider.CPU, 0), "a configured count wins");
        assertEquals(cores, RefinementEngine.samplingThreads(0, InferenceRuntime.Provider.CUDA, 0));
        assertEquals(1, RefinementEngine.samplingThreads(0, InferenceRuntime.Provider.CPU, 0), "default intra-op: every core");
        assertEquals(Math.max(1, cores - 1), RefinementEngine.samplingThreads(0, InferenceRuntime.Provider.CPU, 1));
        assertEquals(1, RefinementEngine.samplingThreads(0, InferenceRuntime.Provider.CPU, cores + 4));
    }

    @Test
    void cancellationStopsWithinOneStepAndFreesTheSlot() throws Exception {
        CountDownLatch third = new CountDownLatch(1);
        List<Integer> steps = new CopyOnWriteArrayList<>();
        RefinementJob[] job = new RefinementJob[1];
        try (RefinementEngine engine = new RefinementEngine(network, text, 2)) {
            job[0] = engine.submit(new RefinementRequest("cancel-me", "a blue circle moving right on a gray background", "",
                    3L, 3.0, 1.0, new StepPolicy.Fixed(200), p -> {
                        steps.add(p.step());
                        if (p.step() == 3) {
                            job[0].cancel("user pressed stop");
                            third.countDown();
                        }
                    }));
            assertTrue(third.await(60, TimeUnit.SECONDS));
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> job[0].result().get(60, TimeUnit.SECONDS));
            assertInstanceOf(RequestCancelledException.class, e.getCause());
            assertEquals(List.of(1, 2, 3), steps, "no pass after the one that saw the cancel");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.activeCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, engine.activeCount());
        }
    }

    @Test
    void progressReportsStepsOfTheKnownTotalAndAnEta() throws Exception {
        List<StepListener.StepProgress> seen = new CopyOnWriteArrayList<>();
        try (RefinementEngine engine = new RefinementEngine(network, text, 1)) {
            engine.submit(new RefinementRequest("p", "a red circle moving left on a black background", "", 1L, 3.0, 1.0,
                    new StepPolicy.EntropyGuided(3, 0.0, 5.0, 4, 30), seen::add)).result().get(60, TimeUnit.SECONDS);
        }
        assertEquals(-1, seen.get(0).totalSteps(), "unknown during warm-up");
        assertEquals(8, seen.get(seen.size() - 1).totalSteps(), "3 warm-up passes + round(0 * H + 5)");
        assertEquals(8, seen.size());
        assertEquals(0, seen.get(seen.size() - 1).etaMs());
    }
}
