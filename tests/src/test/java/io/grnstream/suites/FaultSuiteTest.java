package io.grnstream.suites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.client.GrnClient;
import io.grnstream.client.RequestHandle;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.TopicDef;
import io.grnstream.kafka.TopicReader;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults with requests in flight: every stage runs in its own JVM, the refiner, the decoder and the
 * assembler are each killed with SIGKILL at a random moment and restarted, and the broker is
 * restarted mid-run. Afterwards read_committed readers over every topic must find exactly one
 * video, one latent and one terminal event per request, every frame chunk, nothing in the
 * dead-letter topic, and the same MP4 bytes for two requests with the same prompt and seed.
 * The random moments come from a printed seed; rerun one with -Dgrn.fault.seed=N.
 */
class FaultSuiteTest {
    private static final String[] PROMPTS = {
            "a red circle moving left on a black background",
            "a yellow triangle moving up and a blue square moving right on a striped background",
            "a green square moving down on a gray background",
            "a cyan triangle moving right on a striped background",
            "a magenta circle moving up and a red square moving left on a gray background"};
    private static final int REQUESTS = 10;
    /** Child-process logs stay after the run, for a failure's post-mortem. */
    private static final Path LOGS = Path.of("target", "fault-suite-logs").toAbsolutePath();
    /** Long enough (a few seconds a request) that work is still in flight at the last fault. */
    private static final int PASSES = 200;

    @TempDir
    Path work;

    private ProcessCluster cluster;
    private final List<RequestEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger completed = new AtomicInteger();
    private long t0 = System.nanoTime();

    @Test
    void killedStagesAndABrokerRestartLoseAndDuplicateNothing() throws Exception {
        long seed = Long.getLong("grn.fault.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.println("fault suite seed " + seed + " (rerun with -Dgrn.fault.seed=" + seed + ")");
        int statusPort = StageProcess.freePort();
        try (ProcessCluster c = ProcessCluster.start(work, LOGS)) {
            cluster = c;
            c.define("refiner", "refiner-1", Map.of("refiner.max.batch", "1"))
                    .define("refiner", "refiner-2", Map.of("refiner.max.batch", "1"))
                    .define("encoder", "encoder-1", Map.of())
                    .define("assembler", "assembler-1", Map.of())
                    .define("status", "status-1", Map.of("status.http.port", Integer.toString(statusPort),
                            "status.advertised.url", "http://localhost:" + statusPort));
            c.launchAll();
            c.awaitAssigned("grn-refiner-workers", 2);
            GrnConfig clientConfig = c.clientConfig();

            List<RequestHandle> handles = new ArrayList<>();
            try (GrnClient client = new GrnClient(clientConfig)) {
                t0 = System.nanoTime();
                for (int i = 0; i < REQUESTS; i++) {
                    // Requests i and i + 5 ask for the same video under different ids.
                    GenerationRequest r = GenerationRequest.newBuilder().setRequestId("fault-" + i)
                            .setPrompt(PROMPTS[i % PROMPTS.length]).setSeed(1000 + i % PROMPTS.length)
                            .setStepPolicy(new FixedSteps(PASSES)).build();
                    RequestHandle h = client.submit(r);
                    h.onEvent(events::add);
                    h.video().thenRun(completed::incrementAndGet);
                    handles.add(h);
                }

                // Each stage is killed while it is working on a request: right after (0-300 ms) an
                // event it emitted for that work.
                note("submitted");
                String refiner = awaitWorkBy("refiner-", io.grnstream.avro.Stage.REFINING);
                Thread.sleep(random.nextInt(300));
                crash(refiner);
                awaitWorkBy("encoder-1", io.grnstream.avro.Stage.DECODING);
                Thread.sleep(random.nextInt(300));
                crash("encoder-1");
                Thread.sleep(random.nextInt(1000));
                note("broker stopped");
                c.stopBroker();
                Thread.sleep(1000 + random.nextInt(2000));
                c.startBroker();
                note("broker back");
                awaitWorkBy("assembler-1", io.grnstream.avro.Stage.ASSEMBLING);
                Thread.sleep(random.nextInt(300));
                crash("assembler-1");

                for (RequestHandle h : handles) {
                    try {
                        h.video().get(6, TimeUnit.MINUTES);
                    } catch (Exception e) {
                        fail(h.requestId() + " never completed (" + e + ")\n" + c.tails());
                    }
                }
                note("all videos ready");
            }
            // Late duplicates would come from work redone after a crash: give it a moment, then count.
            Thread.sleep(3000);
            for (StageProcess p : c.stages()) {
                assertTrue(p.alive(), p.name() + " died:\n" + p.tail());
            }
            verifyTopics(clientConfig, c.topics());
            verifyStatusService(clientConfig, statusPort);
        }
    }

    /** The status service, alive through the broker restart, ends up agreeing with the topic. */
    private void verifyStatusService(GrnConfig clientConfig, int statusPort) throws Exception {
        // After the broker restart the view may still be catching up: wait for its answers first.
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        for (int i = 0; i < REQUESTS; i++) {
            java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://localhost:" + statusPort + "/v1/requests/fault-" + i)).build();
            String body = "";
            while (!body.contains("\"status\":\"COMPLETED\"")) {
                assertTrue(System.nanoTime() < deadline, "status service on fault-" + i + ": " + body + "\n"
                        + cluster.tails());
                Thread.sleep(100);
                body = http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            }
        }
        Map<String, String> settings = new HashMap<>();
        settings.put("bootstrap.servers", clientConfig.get(io.grnstream.config.CommonSettings.BOOTSTRAP_SERVERS));
        settings.put("schema.registry.url", clientConfig.get(io.grnstream.config.CommonSettings.SCHEMA_REGISTRY_URL));
        settings.put("status.url", "http://localhost:" + statusPort);
        try (GrnClient asking = new GrnClient(io.grnstream.config.ConfigLoader.fromMap(
                io.grnstream.client.ClientSettings.definition(), settings))) {
            for (int i = 0; i < REQUESTS; i++) {
                assertEquals(RequestStatus.COMPLETED, asking.latestEvent("fault-" + i).map(RequestEvent::getStatus)
                        .orElse(null), "status service on fault-" + i);
            }
            assertEquals(0, asking.lookupRecordsRead(), "every answer came from the status service");
        }
    }

    private void verifyTopics(GrnConfig config, TopicRegistry topics) {
        // Read each topic to its end (a duplicate would come after the first copy).
        Duration quiet = Duration.ofSeconds(3);
        List<VideoReady> videos = read(config, topics, Topics.VIDEOS, l -> false, quiet);
        List<LatentVideo> latents = read(config, topics, Topics.LATENTS, l -> false, quiet);
        List<RequestEvent> allEvents = read(config, topics, Topics.EVENTS, l -> false, quiet);
        List<FrameChunk> chunks = read(config, topics, Topics.FRAMES, l -> false, quiet);
        List<DeadLetter> dead = read(config, topics, Topics.DLQ, l -> false, Duration.ofSeconds(2));

        assertEquals(List.of(), dead.stream().map(d -> d.getRequestId() + ": " + d.getErrorType() + " " + d.getErrorMessage()).toList(), "dead letters");
        Map<String, Long> videosPer = count(videos, VideoReady::getRequestId);
        Map<String, Long> latentsPer = count(latents, LatentVideo::getRequestId);
        Map<String, Long> terminalPer = count(allEvents.stream().filter(e -> e.getStatus() != RequestStatus.QUEUED
                && e.getStatus() != RequestStatus.IN_PROGRESS).toList(), e -> e.getRequestId() + " " + e.getStatus());
        for (int i = 0; i < REQUESTS; i++) {
            String id = "fault-" + i;
            assertEquals(1L, videosPer.getOrDefault(id, 0L), "videos of " + id);
            assertEquals(1L, latentsPer.getOrDefault(id, 0L), "latents of " + id);
            assertEquals(1L, terminalPer.getOrDefault(id + " COMPLETED", 0L), "COMPLETED events of " + id + ": " + terminalPer);
        }
        assertEquals(REQUESTS, videos.size(), "videos for unknown requests: " + videosPer);
        assertEquals(REQUESTS, terminalPer.values().stream().mapToLong(Long::longValue).sum(), "terminal events " + terminalPer);

        // Every frame of every video arrived; a chunk published twice (work redone after a crash)
        // carries the same bytes both times.
        Map<String, FrameChunk> firstCopy = new HashMap<>();
        int redelivered = 0;
        for (FrameChunk c : chunks) {
            String key = c.getRequestId() + "#" + c.getFirstFrame();
            FrameChunk earlier = firstCopy.putIfAbsent(key, c);
            if (earlier != null) {
                redelivered++;
                assertEquals(earlier, c, "chunk " + key + " published twice with different content");
            }
        }
        for (VideoReady v : videos) {
            int frames = firstCopy.values().stream().filter(c -> c.getRequestId().equals(v.getRequestId()))
                    .mapToInt(c -> c.getLastFrame() - c.getFirstFrame() + 1).sum();
            assertEquals(v.getFrames(), frames, "frames of " + v.getRequestId());
        }
        Map<String, VideoReady> byId = videos.stream().collect(Collectors.toMap(VideoReady::getRequestId, v -> v));
        for (int i = 0; i < REQUESTS / 2; i++) {
            assertEquals(byId.get("fault-" + i).getSha256(), byId.get("fault-" + (i + 5)).getSha256(),
                    "same prompt and seed, different MP4: fault-" + i + " vs fault-" + (i + 5));
        }
        System.out.printf("fault suite: %d videos, %d latents, %d events, %d chunks (%d published again after a crash),"
                + " 0 dead letters%n", videos.size(), latents.size(), allEvents.size(), chunks.size(), redelivered);
    }

    private static <V extends SpecificRecord> List<V> read(GrnConfig config, TopicRegistry topics, TopicDef<V> def,
                                                          java.util.function.Predicate<List<V>> enough, Duration max) {
        return TopicReader.readUntil(config, topics, def, enough, max);
    }

    private static <V> Map<String, Long> count(List<V> records, Function<V, String> key) {
        return records.stream().collect(Collectors.groupingBy(key, Collectors.counting()));
    }

    /**
     * SIGKILL, then a restart under the same instance id (static membership, same transactional
     * id). A fault after every request finished would test nothing, so that fails the test.
     */
    private void crash(String name) throws InterruptedException {
        assertTrue(completed.get() < REQUESTS, "all requests finished before " + name + " was killed: nothing in flight");
        cluster.stage(name).killHard();
        note(name + " killed");
        // It comes back while the next faults happen, as a restarted pod would.
        StageProcess restarted = cluster.launch(name);
        Thread watcher = new Thread(() -> {
            try {
                restarted.awaitReady(Duration.ofMinutes(2));
                note(name + " restarted");
            } catch (Exception e) {
                note(name + " did not come back: " + e.getMessage());
            }
        }, "restart-" + name);
        watcher.setDaemon(true);
        watcher.start();
    }

    private void note(String what) {
        System.out.printf("%6.1f s: %s (%d of %d videos ready)%n", (System.nanoTime() - t0) / 1e9, what, completed.get(),
                REQUESTS);
    }

    /**
     * Waits for a progress event of {@code stage}, emitted from now on (so the emitter is at work) by
     * an instance whose name starts with {@code instance}; returns that instance.
     */
    private String awaitWorkBy(String instance, io.grnstream.avro.Stage stage) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        int from = events.size();
        while (true) {
            List<RequestEvent> seen = List.copyOf(events);
            for (int i = from; i < seen.size(); i++) {
                RequestEvent e = seen.get(i);
                if (e.getStage() == stage && e.getStatus() == RequestStatus.IN_PROGRESS && e.getEmittedBy().startsWith(instance)) {
                    return e.getEmittedBy();
                }
            }
            if (System.nanoTime() > deadline) {
                fail("no " + stage + " event from " + instance + "; " + completed.get() + " videos ready; events by stage and instance: "
                        + count(List.copyOf(events), e -> e.getStatus() + "/" + e.getStage() + "/" + e.getEmittedBy()) + "\n"
                        + cluster.tails());
            }
            Thread.sleep(10);
        }
    }

}
