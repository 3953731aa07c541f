package io.grnstream.cli;

import ch.qos.logback.classic.Level;
import io.grnstream.avro.EntropyGuidedSteps;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobStore;
import io.grnstream.blob.BlobStores;
import io.grnstream.client.ClientSettings;
import io.grnstream.client.GrnClient;
import io.grnstream.client.RequestFailedException;
import io.grnstream.client.RequestHandle;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.stage.StageRunner;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code grn} command. */
@Command(name = "grn", mixinStandardHelpOptions = true, version = "grn 0.1.0",
        description = "Generate videos from prompts with GRN Stream, locally or on a Kafka cluster.",
        subcommands = {Grn.Local.class, Grn.Submit.class, Grn.Watch.class, Grn.Status.class, Grn.Cancel.class,
                Grn.Get.class, Grn.ReplayCommand.class, Grn.StageCommand.class, Grn.Serve.class})
public final class Grn {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "log details and print stack traces")
    boolean verbose;
    private PrintStream out = System.out;

    public static void main(String[] args) throws InterruptedException {
        int[] code = {1};
        // The stages start on this thread and call into ONNX Runtime and the tokenizer, which need
        // a deeper stack than the JVM's default.
        Thread main = io.grnstream.model.InferenceRuntime.nativeThread(() -> code[0] = run(args, System.out, System.err),
                "grn-main");
        main.start();
        main.join();
        System.exit(code[0]);
    }

    /** Runs a command line; returns the exit code (0 success, 1 failure, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Grn root = new Grn();
        root.out = out;
        CommandLine cli = new CommandLine(root);
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            err.println("grn: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (root.verbose) {
                e.printStackTrace(err);
            }
            return 1;
        });
        boolean verbose = java.util.Arrays.asList(args).contains("--verbose");
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("io.grnstream")).setLevel(verbose ? Level.INFO : Level.WARN);
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger("org.apache.kafka")).setLevel(verbose ? Level.WARN : Level.ERROR);
        return cli.execute(args);
    }

    /** Options that describe what to generate. */
    static final class Generation {
        @Parameters(index = "0", paramLabel = "PROMPT", description = "what the video shows")
        String prompt;
        @Option(names = "--negative", description = "negative prompt (the unconditional stream)")
        String negative = "";
        @Option(names = "--seed", description = "random seed (default: a random one, printed)")
        Long seed;
        @Option(names = "--steps", description = "fixed number of refinement steps (default: the model's policy)")
        Integer steps;
        @Option(names = "--entropy-guided", description = "entropy-guided steps with the model's fitted parameters")
        boolean entropyGuided;
        @Option(names = "--guidance", description = "classifier-free guidance scale")
        Double guidance;
        @Option(names = "--temperature", description = "sampling temperature")
        Double temperature;
        @Option(names = "--id", description = "request id (default: a UUID); resubmitting an id never makes a second video")
        String id;
        @Option(names = "--meta", description = "client metadata KEY=VALUE, e.g. grn.upscale=bilinear or grn.webhook.url=URL")
        Map<String, String> metadata = new LinkedHashMap<>();
        @Option(names = "--priority", description = "higher is admitted first by a full worker (default: ${DEFAULT-VALUE})")
        int priority;
        @Option(names = "--deadline", description = "give up unless done within this many seconds (TIMED_OUT)")
        Long deadlineSeconds;

        GenerationRequest toRequest() {
            GenerationRequest.Builder b = GenerationRequest.newBuilder()
                    .setRequestId(id == null ? "" : id)
                    .setPrompt(prompt)
                    .setNegativePrompt(negative)
                    .setSeed(seed != null ? seed : new SecureRandom().nextLong() & Long.MAX_VALUE)
                    .setGuidanceScale(guidance)
                    .setTemperature(temperature)
                    .setClientMetadata(new HashMap<>(metadata))
                    .setPriority(priority)
                    .setDeadlineEpochMs(deadlineSeconds == null ? null : System.currentTimeMillis() + deadlineSeconds * 1000);
            if (steps != null) {
                b.setStepPolicy(new FixedSteps(steps));
            } else if (entropyGuided) {
                b.setStepPolicy(EntropyGuidedSteps.newBuilder().build());
            }
            return b.build();
        }
    }

    /** Options that say where the cluster is. */
    static final class Cluster {
        @Option(names = "--bootstrap-servers", description = "Kafka bootstrap servers (or GRN_BOOTSTRAP_SERVERS)")
        String bootstrap;
        @Option(names = "--schema-registry", description = "schema registry URL (or GRN_SCHEMA_REGISTRY_URL)")
        String registry;
        @Option(names = "--topic-prefix", description = "topic name prefix (or GRN_TOPIC_PREFIX)")
        String prefix;
        @Option(names = "--config", description = "properties file with settings (or GRN_CONFIG)")
        Path file;
        @Option(names = "--status-url", description = "status service base URL for status lookups (or GRN_STATUS_URL)")
        String statusUrl;

        GrnConfig config() {
            Map<String, String> flags = new HashMap<>();
            if (bootstrap != null) {
                flags.put(CommonSettings.BOOTSTRAP_SERVERS.key(), bootstrap);
            }
            if (registry != null) {
                flags.put(CommonSettings.SCHEMA_REGISTRY_URL.key(), registry);
            }
            if (prefix != null) {
                flags.put(CommonSettings.TOPIC_PREFIX.key(), prefix);
            }
            if (statusUrl != null) {
                flags.put(ClientSettings.STATUS_URL.key(), statusUrl);
            }
            String path = file != null ? file.toString() : System.getenv(ConfigLoader.CONFIG_FILE_ENV);
            return ConfigLoader.load(ClientSettings.definition(),
                    path == null ? Map.of() : ConfigLoader.readPropertiesFile(Path.of(path)), System.getenv(), flags);
        }
    }

    @Command(name = "local", description = "Start a Kafka broker, every stage and the bundled model in this JVM, "
            + "generate one video and write it as MP4.")
    static final class Local implements Callable<Integer> {
        @CommandLine.Mixin
        Generation generation = new Generation();
        @Option(names = {"-o", "--output"}, description = "MP4 to write (default: ${DEFAULT-VALUE})")
        Path output = Path.of("grn-output.mp4");
        @Option(names = "--model-dir", description = "model bundle (default: ${DEFAULT-VALUE})")
        Path modelDir = Path.of("models", "grn-tiny-shapes");
        @Option(names = "--work-dir", description = "where the broker, blobs and state live (default: a temporary directory, deleted)")
        Path workDir;
        @Option(names = "--timeout", description = "give up after this many seconds (default: ${DEFAULT-VALUE})")
        int timeoutSeconds = 600;
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            Path model = bundleDir(modelDir);
            boolean temporary = workDir == null;
            Path dir = temporary ? Files.createTempDirectory("grn-local-") : Files.createDirectories(workDir);
            out.println("starting the embedded pipeline (Kafka broker, refiner, decoder, assembler) ...");
            long t0 = System.nanoTime();
            try (LocalPipeline pipeline = LocalPipeline.start(dir, model, null);
                 GrnClient client = new GrnClient(pipeline.clientConfig())) {
                out.printf("ready in %.1f s; broker at %s%n", (System.nanoTime() - t0) / 1e9, pipeline.bootstrapServers());
                GenerationRequest request = generation.toRequest();
                return generate(client, pipeline.clientConfig(), request, output, timeoutSeconds, out);
            } finally {
                if (temporary) {
                    deleteQuietly(dir);
                }
            }
        }
    }

    @Command(name = "serve", description = "Run the embedded pipeline with its HTTP API (status service with submission,"
            + " webhook notifier) until stopped: try the whole API with curl, no cluster needed.")
    static final class Serve implements Callable<Integer> {
        @Option(names = "--port", description = "HTTP port of the API (default: ${DEFAULT-VALUE})")
        int port = 8090;
        @Option(names = "--model-dir", description = "model bundle (default: ${DEFAULT-VALUE})")
        Path modelDir = Path.of("models", "grn-tiny-shapes");
        @Option(names = "--work-dir", description = "where the broker, blobs and state live (default: a temporary directory, deleted)")
        Path workDir;
        @CommandLine.ParentCommand
        Grn parent;
        /** Counted down to stop; SIGTERM and Ctrl-C do it through a shutdown hook, tests through {@link #stopRunning}. */
        private final java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
        private static volatile java.util.concurrent.CountDownLatch running;

        static void stopRunning() {
            java.util.concurrent.CountDownLatch latch = running;
            if (latch != null) {
                latch.countDown();
            }
        }

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            Path model = bundleDir(modelDir);
            boolean temporary = workDir == null;
            Path dir = temporary ? Files.createTempDirectory("grn-serve-") : Files.createDirectories(workDir);
            running = stop;
            Thread hook = new Thread(stop::countDown, "grn-serve-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            long t0 = System.nanoTime();
            try (LocalPipeline pipeline = LocalPipeline.start(dir, model, null)) {
                Map<String, String> shared = Map.of(
                        CommonSettings.BOOTSTRAP_SERVERS.key(), pipeline.bootstrapServers(),
                        CommonSettings.SCHEMA_REGISTRY_URL.key(), pipeline.clientConfig().get(CommonSettings.SCHEMA_REGISTRY_URL),
                        CommonSettings.OPS_HTTP_PORT.key(), "-1");
                Map<String, String> status = new java.util.HashMap<>(shared);
                status.putAll(Map.of("status.http.port", Integer.toString(port), "status.submit.enabled", "true",
                        "status.advertised.url", "http://localhost:" + port, "status.state.dir", dir.resolve("status").toString()));
                Map<String, String> notifier = new java.util.HashMap<>(shared);
                notifier.putAll(Map.of("notifier.state.dir", dir.resolve("notifier").toString()));
                try (io.grnstream.status.StatusService api = new io.grnstream.status.StatusService(
                        ConfigLoader.fromMap(io.grnstream.status.StatusSettings.definition(), status), new SimpleMeterRegistry());
                     io.grnstream.notifier.NotifierService hooks = new io.grnstream.notifier.NotifierService(
                             ConfigLoader.fromMap(io.grnstream.notifier.NotifierSettings.definition(), notifier),
                             new SimpleMeterRegistry())) {
                    hooks.start();
                    api.start();
                    String base = "http://localhost:" + api.port() + io.grnstream.status.StatusService.COLLECTION;
                    out.printf("ready in %.1f s; broker at %s; API at %s%n", (System.nanoTime() - t0) / 1e9,
                            pipeline.bootstrapServers(), base);
                    out.println("  curl -s -X POST " + base + " -d '{\"prompt\": \"a red circle moving left on a black"
                            + " background\"}'");
                    out.println("  curl -N " + base + "/ID/events      curl -s " + base + "/ID/video      Ctrl-C stops");
                    out.flush();
                    stop.await();
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // already shutting down
                }
                if (temporary) {
                    deleteQuietly(dir);
                }
            }
            return 0;
        }
    }

    /** The bundle directory: as given, or under the installation ({@code grn.home}) when relative and not here. */
    static Path bundleDir(Path modelDir) {
        if (!Files.isDirectory(modelDir) && !modelDir.isAbsolute() && System.getProperty("grn.home") != null) {
            return Path.of(System.getProperty("grn.home")).resolve(modelDir);
        }
        return modelDir;
    }

    @Command(name = "submit", description = "Submit a prompt to a cluster; with --wait, follow it and write the MP4.")
    static final class Submit implements Callable<Integer> {
        @CommandLine.Mixin
        Generation generation = new Generation();
        @CommandLine.Mixin
        Cluster cluster = new Cluster();
        @Option(names = "--wait", description = "follow progress until the video is ready")
        boolean waitForVideo;
        @Option(names = {"-o", "--output"}, description = "with --wait: MP4 to write (default: ${DEFAULT-VALUE})")
        Path output = Path.of("grn-output.mp4");
        @Option(names = "--timeout", description = "with --wait: seconds (default: ${DEFAULT-VALUE})")
        int timeoutSeconds = 1800;
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            GrnConfig config = cluster.config();
            try (GrnClient client = new GrnClient(config)) {
                GenerationRequest request = generation.toRequest();
                if (waitForVideo) {
                    return generate(client, config, request, output, timeoutSeconds, out);
                }
                RequestHandle handle = client.submit(request);
                out.println(handle.requestId());
                return 0;
            }
        }
    }

    @Command(name = "watch", description = "Follow a request's progress until it ends.")
    static final class Watch implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;
        @CommandLine.Mixin
        Cluster cluster = new Cluster();
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() throws Exception {
            PrintStream out = parent.out;
            try (GrnClient client = new GrnClient(cluster.config())) {
                Optional<RequestEvent> latest = client.latestEvent(id);
                if (latest.isEmpty()) {
                    out.println(id + " NOT_FOUND");
                    return 1;
                }
                ProgressDisplay display = new ProgressDisplay(out, System.console() != null);
                display.show(latest.get());
                if (Events.isTerminal(latest.get().getStatus())) {
                    display.end();
                    return latest.get().getStatus().name().equals("COMPLETED") ? 0 : 1;
                }
                RequestHandle handle = client.watch(id).onEvent(display::show);
                try {
                    handle.video().get();
                    display.end();
                    return 0;
                } catch (ExecutionException e) {
                    display.end();
                    throw (Exception) e.getCause();
                }
            }
        }
    }

    @Command(name = "status", description = "Print a request's latest status (NOT_FOUND for an unknown id).")
    static final class Status implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;
        @CommandLine.Mixin
        Cluster cluster = new Cluster();
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() {
            PrintStream out = parent.out;
            try (GrnClient client = new GrnClient(cluster.config())) {
                Optional<RequestEvent> latest = client.latestEvent(id);
                if (latest.isEmpty()) {
                    out.println(id + " NOT_FOUND");
                    return 1;
                }
                RequestEvent e = latest.get();
                out.println(id + " " + e.getStatus() + (e.getStage() == null ? "" : " " + e.getStage())
                        + (e.getError() == null ? "" : " " + e.getError().getType() + ": " + e.getError().getMessage()));
                return 0;
            }
        }
    }

    @Command(name = "cancel", description = "Ask the workers to stop a request.")
    static final class Cancel implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = "--reason", description = "why (shown in the CANCELLED event)")
        String reason = "cancelled from the grn command";
        @CommandLine.Mixin
        Cluster cluster = new Cluster();
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() {
            try (GrnClient client = new GrnClient(cluster.config())) {
                client.cancel(id, reason);
                parent.out.println("cancel sent for " + id);
                return 0;
            }
        }
    }

    @Command(name = "get", description = "Write a finished request's MP4.")
    static final class Get implements Callable<Integer> {
        @Parameters(paramLabel = "ID")
        String id;
        @Option(names = {"-o", "--output"}, required = true, description = "MP4 to write")
        Path output;
        @CommandLine.Mixin
        Cluster cluster = new Cluster();
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() throws IOException {
            GrnConfig config = cluster.config();
            try (GrnClient client = new GrnClient(config)) {
                Optional<VideoReady> video = client.video(id);
                if (video.isEmpty()) {
                    parent.out.println(id + " has no video" + client.latestEvent(id).map(e -> " (" + e.getStatus() + ")")
                            .orElse(" (NOT_FOUND)"));
                    return 1;
                }
                write(config, video.get(), output);
                describe(video.get(), output, parent.out);
                return 0;
            }
        }
    }

    @Command(name = "replay", description = "Run requests again (by id, or submitted between two instants) and "
            + "report whether the new output is bit-identical to the original.")
    static final class ReplayCommand implements Callable<Integer> {
        @Parameters(arity = "0..1", paramLabel = "ID", description = "the request to replay")
        String id;
        @Option(names = "--from", description = "replay requests submitted from this instant (ISO-8601, e.g. 2026-12-04T10:00:00Z)")
        java.time.Instant from;
        @Option(names = "--to", description = "... up to this instant (default: now)")
        java.time.Instant to;
        @Option(names = "--filter", description = "only requests whose prompt contains this text")
        String filter;
        @Option(names = "--trace", description = "record the per-step entropy and keep-ratio trace in the replay")
        boolean trace;
        @Option(names = "--timeout", description = "seconds to wait for each replay (default: ${DEFAULT-VALUE})")
        int timeoutSeconds = 1800;
        @CommandLine.Mixin
        Cluster cluster = new Cluster();
        @CommandLine.ParentCommand
        Grn parent;

        @Override
        public Integer call() throws Exception {
            if ((id == null) == (from == null)) {
                throw new CommandLine.ParameterException(new CommandLine(this), "give a request ID or --from (not both)");
            }
            try (GrnClient client = new GrnClient(cluster.config())) {
                List<GenerationRequest> originals = new java.util.ArrayList<>();
                if (id != null) {
                    originals.add(client.request(id).orElseThrow(() -> new IllegalArgumentException(
                            id + " NOT_FOUND on the requests topic (never submitted, or older than its retention)")));
                } else {
                    for (GenerationRequest r : client.requestsBetween(from, to == null ? java.time.Instant.now() : to)) {
                        if (r.getReplayOf() == null && (filter == null || r.getPrompt().contains(filter))) {
                            originals.add(r);
                        }
                    }
                    parent.out.println(originals.size() + " requests to replay");
                }
                Replay replay = new Replay(client, parent.out);
                int different = 0;
                for (GenerationRequest original : originals) {
                    if (!replay.replay(original, trace, timeoutSeconds)) {
                        different++;
                    }
                }
                return different == 0 ? 0 : 1;
            }
        }
    }

    @Command(name = "stage", description = "Run one stage against a cluster, as the containers do: "
            + "refiner, encoder, assembler, status or notifier, followed by its --key=value settings.")
    static final class StageCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "STAGE", description = "refiner, encoder, assembler, status or notifier")
        String stage;
        // Settings look like options to picocli; it hands them over unparsed, as StageRunner reads them.
        @CommandLine.Unmatched
        String[] settings = new String[0];

        @Override
        public Integer call() throws Exception {
            switch (stage) {
                case "refiner" -> StageRunner.run("refiner-workers", io.grnstream.refiner.RefinerSettings.definition(),
                        settings, io.grnstream.refiner.RefinerWorker::new);
                case "encoder" -> StageRunner.run("encoder-service", io.grnstream.encoder.DecoderSettings.definition(),
                        settings, io.grnstream.encoder.DecoderService::new);
                case "assembler" -> StageRunner.run("assembler", io.grnstream.assembler.AssemblerSettings.definition(),
                        settings, io.grnstream.assembler.AssemblerService::new);
                case "status" -> StageRunner.run("status", io.grnstream.status.StatusSettings.definition(),
                        settings, io.grnstream.status.StatusService::new);
                case "notifier" -> StageRunner.run("notifier", io.grnstream.notifier.NotifierSettings.definition(),
                        settings, io.grnstream.notifier.NotifierService::new);
                default -> throw new IllegalArgumentException("unknown stage '" + stage
                        + "'; use refiner, encoder, assembler, status or notifier");
            }
            return 0;
        }
    }


    /** Submits, shows progress, writes the MP4 and its provenance; exit code 0 on success. */
    static int generate(GrnClient client, GrnConfig config, GenerationRequest request, Path output, int timeoutSeconds,
                        PrintStream out) throws Exception {
        ProgressDisplay display = new ProgressDisplay(out, System.console() != null);
        RequestHandle handle = client.submit(request);
        handle.onEvent(display::show);
        out.println("request " + handle.requestId() + " submitted (seed " + request.getSeed() + ")");
        VideoReady video;
        try {
            video = handle.video().get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            display.end();
            if (e.getCause() instanceof RequestFailedException failed) {
                throw failed;
            }
            throw e;
        } catch (TimeoutException e) {
            display.end();
            throw new IllegalStateException("no video after " + Duration.ofSeconds(timeoutSeconds) + "; the request goes on: grn watch "
                    + handle.requestId());
        }
        display.end();
        write(config, video, output);
        describe(video, output, out);
        return 0;
    }

    static void write(GrnConfig config, VideoReady video, Path output) throws IOException {
        byte[] bytes;
        if (video.getInlineBytes() != null) {
            bytes = new byte[video.getInlineBytes().remaining()];
            video.getInlineBytes().duplicate().get(bytes);
        } else {
            try (BlobStore blobs = BlobStores.fromConfig(config)) {
                bytes = blobs.read(video.getUri());
            }
        }
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(output, bytes);
    }

    static void describe(VideoReady v, Path output, PrintStream out) {
        Provenance p = v.getProvenance();
        out.printf("wrote %s: %d bytes, %d frames %dx%d @ %d fps (%.3f s), %s, sha256 %s%n", output.toAbsolutePath(),
                v.getSizeBytes(), v.getFrames(), v.getWidth(), v.getHeight(), v.getFps(), v.getDurationSeconds(),
                v.getCodec(), v.getSha256());
        out.printf("provenance: request %s, model %s (bundle %s), seed %d, steps %s -> %d passes, guidance %.2f, "
                        + "temperature %.2f, workers %s%n", p.getRequestId(), p.getModelId(),
                p.getModelBundleSha256().substring(0, Math.min(12, p.getModelBundleSha256().length())), p.getSeed(),
                p.getStepPolicy(), p.getStepsUsed(), p.getGuidanceScale(), p.getTemperature(), p.getWorkers());
        new java.util.TreeMap<>(p.getRuntimes()).forEach((stage, runtime) -> out.printf("runtime %s: %s%n", stage, runtime));
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temporary data; nothing to do
        }
    }
}
