package io.grnstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.client.GrnClient;
import io.grnstream.client.RequestFailedException;
import io.grnstream.client.RequestHandle;
import io.grnstream.config.CommonSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grn command and the client library against the embedded pipeline (real broker, all stages). */
class GrnCommandTest {
    private static final Path MODEL = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();
    @TempDir
    static Path work;
    private static LocalPipeline pipeline;
    private static GrnClient client;

    @BeforeAll
    static void start() {
        pipeline = LocalPipeline.start(work.resolve("pipeline"), MODEL, null);
        client = new GrnClient(pipeline.clientConfig());
    }

    @AfterAll
    static void stop() {
        client.close();
        pipeline.close();
    }

    private record Run(int code, String out, String err) {
    }

    private static Run grn(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Grn.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String[] cluster(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--bootstrap-servers", pipeline.bootstrapServers(), "--schema-registry",
                pipeline.clientConfig().get(CommonSettings.SCHEMA_REGISTRY_URL)));
        return all.toArray(String[]::new);
    }

    private static GenerationRequest request(String id, int steps) {
        return GenerationRequest.newBuilder().setRequestId(id).setPrompt("a blue square moving right on a gray background")
                .setSeed(5).setStepPolicy(new FixedSteps(steps)).build();
    }

    @Test
    void submitWaitWritesAnH264Mp4AndItsProvenance() throws Exception {
        Path mp4 = work.resolve("out.mp4");
        Run run = grn(cluster("submit", "a green circle moving up on a striped background", "--seed", "3", "--steps", "8",
                "--wait", "-o", mp4.toString()));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("wrote " + mp4.toAbsolutePath()), run.out());
        assertTrue(run.out().contains("seed 3, steps fixed(8) -> 8 passes"), run.out());
        // Every stage names the software it ran, so a replay can tell which one changed.
        String version = io.grnstream.build.StageStamp.grnStreamVersion();
        assertTrue(run.out().contains("runtime refiner-workers: grn-stream " + version + "; onnxruntime "), run.out());
        assertTrue(run.out().contains("runtime encoder-service: grn-stream " + version + "; onnxruntime "), run.out());
        assertTrue(run.out().contains("runtime assembler: grn-stream " + version + "; FFmpeg "), run.out());
        byte[] head = java.util.Arrays.copyOf(Files.readAllBytes(mp4), 12);
        assertEquals("ftyp", new String(head, 4, 4, StandardCharsets.US_ASCII));
        Process probe = new ProcessBuilder("ffprobe", "-v", "error", "-count_frames", "-show_entries",
                "stream=codec_name,nb_read_frames", "-of", "csv=p=0", mp4.toString()).redirectErrorStream(true).start();
        String facts = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (probe.waitFor() == 0) {
            assertEquals("h264,17", facts);
        }
    }

    @Test
    void resubmittingTheSameIdMakesOneVideo() throws Exception {
        RequestHandle first = client.submit(request("same-id", 6));
        VideoReady video = first.video().get(2, TimeUnit.MINUTES);
        RequestHandle again = client.submit(request("same-id", 6));
        assertEquals(first.requestId(), again.requestId());
        Thread.sleep(3000);
        assertEquals(video, client.video("same-id").orElseThrow());
        assertEquals(RequestStatus.COMPLETED, client.latestEvent("same-id").orElseThrow().getStatus());
    }

    @Test
    void replayingACompletedRequestIsBitIdentical() throws Exception {
        client.submit(request("to-replay", 8)).video().get(2, TimeUnit.MINUTES);
        Run run = grn(cluster("replay", "to-replay"));
        assertEquals(0, run.code(), run.out() + run.err());
        assertTrue(run.out().contains("latent bits: identical"), run.out());
        assertTrue(run.out().contains("mp4 sha256: identical"), run.out());
        assertTrue(run.out().strip().endsWith("bit-identical"), run.out());
        String replayId = run.out().lines().filter(l -> l.startsWith("replaying")).findFirst().orElseThrow().split(" as ")[1];
        assertEquals("to-replay", client.request(replayId).orElseThrow().getReplayOf());
    }

    @Test
    void replayExplainsADifferenceByTheFieldOrTheStageSoftwareThatChanged() {
        Provenance original = Provenance.newBuilder().setRequestId("r").setModelId("m").setModelBundleSha256("ab")
                .setSeed(42).setGuidanceScale(2).setTemperature(0.8).setStepPolicy("fixed(50)").setStepsUsed(50)
                .setHbqRounds(4)
                .setRuntimes(Map.of("refiner-workers", "grn-stream 1; onnxruntime 1.29.0 (CPU)", "assembler", "FFmpeg 7"))
                .build();
        Provenance onGpu = Provenance.newBuilder(original)
                .setRuntimes(Map.of("refiner-workers", "grn-stream 1; onnxruntime 1.29.0 (CUDA)", "assembler", "FFmpeg 7"))
                .build();
        assertEquals("refiner-workers runtime grn-stream 1; onnxruntime 1.29.0 (CPU) -> grn-stream 1; onnxruntime 1.29.0 (CUDA)",
                Replay.explain(original, onGpu));
        Provenance otherSeed = Provenance.newBuilder(onGpu).setSeed(original.getSeed() + 1).build();
        assertTrue(Replay.explain(original, otherSeed).startsWith("seed " + original.getSeed() + " -> " + (original.getSeed() + 1)
                + "; refiner-workers runtime"), Replay.explain(original, otherSeed));
        assertTrue(Replay.explain(original, Provenance.newBuilder(original).build()).startsWith("the same, every stage's runtime"));
        Provenance beforeRuntimesWereRecorded = Provenance.newBuilder(original).setRuntimes(Map.of()).build();
        assertTrue(Replay.explain(beforeRuntimesWereRecorded, original).contains("assembler runtime not recorded on the original; now FFmpeg 7"));
    }

    @Test
    void submitCarriesPriorityDeadlineAndMetadataAndAReplayDropsThePassedDeadline() throws Exception {
        long before = System.currentTimeMillis();
        Run run = grn(cluster("submit", "a cyan circle moving down on a black background", "--id", "with-options",
                "--steps", "4", "--priority", "5", "--deadline", "600", "--meta", "grn.webhook.url=http://hooks.example/x",
                "--wait", "-o", work.resolve("options.mp4").toString()));
        assertEquals(0, run.code(), run.err());
        GenerationRequest sent = client.request("with-options").orElseThrow();
        assertEquals(5, sent.getPriority());
        assertTrue(sent.getDeadlineEpochMs() >= before + 600_000 && sent.getDeadlineEpochMs() <= System.currentTimeMillis() + 600_000,
                "deadline " + sent.getDeadlineEpochMs());
        assertEquals("http://hooks.example/x", sent.getClientMetadata().get("grn.webhook.url"));

        // A replay drops the original's deadline (long past, usually, by the time one debugs it).
        client.submit(GenerationRequest.newBuilder(request("deadline-passed", 4))
                .setDeadlineEpochMs(System.currentTimeMillis() + 60_000).build()).video().get(2, TimeUnit.MINUTES);
        Run replay = grn(cluster("replay", "deadline-passed"));
        assertEquals(0, replay.code(), replay.out() + replay.err());
        assertTrue(replay.out().strip().endsWith("bit-identical"), replay.out());
        String replayId = replay.out().lines().filter(l -> l.startsWith("replaying")).findFirst().orElseThrow().split(" as ")[1];
        assertEquals(null, client.request(replayId).orElseThrow().getDeadlineEpochMs());
    }

    @Test
    void serveRunsTheWholeHttpApiOnTheEmbeddedPipelineUntilStopped() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int[] code = {-1};
        Thread serving = new Thread(() -> code[0] = Grn.run(new String[] {"serve", "--model-dir", MODEL.toString(), "--port", Integer.toString(port),
                "--work-dir", work.resolve("serve").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        serving.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!out.toString(StandardCharsets.UTF_8).contains("API at") && serving.isAlive() && System.nanoTime() < deadline) {
            pause(100);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("API at http://localhost:" + port + "/v1/requests"),
                out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = "http://localhost:" + port + "/v1/requests";
        java.net.http.HttpResponse<String> created = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"requestId\": \"served\", \"prompt\":"
                        + " \"a blue square moving right on a gray background\", \"steps\": 6}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(202, created.statusCode(), created.body());
        java.net.http.HttpResponse<String> video;
        do {
            pause(200);
            video = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/served/video")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
        } while (video.statusCode() != 200 && System.nanoTime() < deadline);
        assertEquals(200, video.statusCode(), video.body());
        assertTrue(video.body().contains("\"sha256\""), video.body());
        Grn.Serve.stopRunning();
        serving.join(TimeUnit.MINUTES.toMillis(1));
        assertEquals(0, code[0]);
    }

    @Test
    void firstDifferenceFindsTheBit() {
        assertEquals(-1, Replay.firstDifference(java.nio.ByteBuffer.wrap(new byte[] {1, 2}), java.nio.ByteBuffer.wrap(new byte[] {1, 2})));
        assertEquals(13, Replay.firstDifference(java.nio.ByteBuffer.wrap(new byte[] {1, 0}), java.nio.ByteBuffer.wrap(new byte[] {1, 4})));
    }

    @Test
    void statusOfAnUnknownIdIsNotFound() {
        Run run = grn(cluster("status", "nobody-sent-this"));
        assertEquals(1, run.code());
        assertEquals("nobody-sent-this NOT_FOUND", run.out().strip());
    }

    @Test
    void cancellingARunningRequestEndsItWithoutAVideo() throws Exception {
        // 200 passes of the tiny model can end in 0.6 s, before the command has connected: slow them.
        pipeline.refiners().forEach(r -> r.observeSteps(p -> pause(20)));
        try {
            RequestHandle handle = client.submit(request("to-cancel", 200));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && client.latestEvent("to-cancel").map(e -> e.getStep() == null || e.getStep() < 2)
                    .orElse(true)) {
                Thread.sleep(100);
            }
            Run run = grn(cluster("cancel", "to-cancel"));
            assertEquals(0, run.code(), run.err());
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> handle.video().get(60, TimeUnit.SECONDS));
            RequestFailedException failed = assertInstanceOf(RequestFailedException.class, e.getCause());
            assertEquals(RequestStatus.CANCELLED, failed.status());
            assertTrue(client.video("to-cancel").isEmpty());
        } finally {
            pipeline.refiners().forEach(r -> r.observeSteps(p -> { }));
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void commandErrorsAreOneLineAndANonZeroExit() {
        Run badPrompt = grn(cluster("submit", " ", "--wait", "-o", work.resolve("x.mp4").toString()));
        assertEquals(1, badPrompt.code());
        assertEquals(1, badPrompt.err().strip().lines().count(), badPrompt.err());
        assertTrue(badPrompt.err().contains("FAILED (INVALID_REQUEST): prompt: must not be empty"), badPrompt.err());

        Run unknown = grn("status", "x", "--no-such-option");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unknown option: '--no-such-option'"), unknown.err());
        assertTrue(!unknown.err().contains("Exception"), unknown.err());
    }
}
