package io.grnstream.cli;

import io.grnstream.assembler.AssemblerService;
import io.grnstream.assembler.AssemblerSettings;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.encoder.DecoderService;
import io.grnstream.encoder.DecoderSettings;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.embedded.EmbeddedKafkaBroker;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.InferenceSettings;
import io.grnstream.refiner.RefinerSettings;
import io.grnstream.refiner.RefinerWorker;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.stage.Stage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;

/**
 * The embedded default: a real Kafka broker started in this JVM, the topics, and one of each
 * stage (the same services production runs), with an in-process schema registry and a blob
 * store under a work directory.
 */
public final class LocalPipeline implements AutoCloseable {
    private final EmbeddedKafkaBroker broker;
    private final GrnConfig clientConfig;
    private final List<Stage> stages = new ArrayList<>();
    private final Path workDir;

    private LocalPipeline(EmbeddedKafkaBroker broker, GrnConfig clientConfig, Path workDir) {
        this.broker = broker;
        this.clientConfig = clientConfig;
        this.workDir = workDir;
    }

    /** Starts everything; returns once every stage is ready. */
    public static LocalPipeline start(Path workDir, Path modelDir, MeterRegistry meters) {
        return start(workDir, modelDir, meters, 1, Map.of());
    }

    /**
     * Starts the broker and the stages with {@code refiners} refiner workers and extra settings
     * (applied to every stage that defines them).
     */
    public static LocalPipeline start(Path workDir, Path modelDir, MeterRegistry meters, int refiners,
                                      Map<String, String> overrides) {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().dataDir(workDir.resolve("kafka"), true).build().start();
        Map<String, String> shared = new HashMap<>();
        shared.put("bootstrap.servers", broker.bootstrapServers());
        shared.put("schema.registry.url", "mem://local-" + UUID.randomUUID());
        shared.put("topic.partitions", "2");
        shared.put("blob.store.uri", workDir.resolve("blobs").toUri().toString());
        shared.put("ops.http.port", "-1");
        GrnConfig client = ConfigLoader.fromMap(CommonSettings.definition("grn"), shared);
        LocalPipeline pipeline = new LocalPipeline(broker, client, workDir);
        try {
            try (Admin admin = KafkaClients.admin(client)) {
                TopicProvisioner.ensureTopics(admin, new TopicRegistry(client, SchemaRegistries.fromConfig(client)), client,
                        Duration.ofSeconds(60));
            }
            MeterRegistry registry = meters != null ? meters : new SimpleMeterRegistry();
            Map<String, String> model = Map.of(InferenceSettings.MODEL_DIR.key(), modelDir.toString());
            List<Stage> all = new ArrayList<>();
            for (int i = 0; i < refiners; i++) {
                all.add(new RefinerWorker(config(RefinerSettings.definition(), shared, model,
                        Map.of("instance.id", "local-refiner-" + i), overrides), registry));
            }
            all.add(new DecoderService(config(DecoderSettings.definition(), shared, model,
                    Map.of("instance.id", "local-decoder"), overrides), registry));
            all.add(new AssemblerService(config(AssemblerSettings.definition(), shared, Map.of(), Map.of(
                    "instance.id", "local-assembler",
                    "assembler.application.id", "grn-assembler-local",
                    "assembler.state.dir", workDir.resolve("assembler-state").toString()), overrides), registry));
            pipeline.startAll(all);
            return pipeline;
        } catch (RuntimeException e) {
            pipeline.close();
            throw e;
        }
    }

    @SafeVarargs
    private static GrnConfig config(ConfigDefinition definition, Map<String, String>... layers) {
        Map<String, String> all = new HashMap<>();
        for (Map<String, String> layer : layers) {
            layer.forEach((k, v) -> {
                if (definition.find(k).isPresent() || k.startsWith(CommonSettings.KAFKA_PREFIX)) {
                    all.put(k, v);
                }
            });
        }
        return ConfigLoader.fromMap(definition, all);
    }

    /**
     * Starts the stages at once, each on its own thread (model stages load and warm up on the CPU
     * while the assembler waits for its group), and returns when all are ready; the first failure
     * is thrown once every start has returned.
     */
    private void startAll(List<Stage> all) {
        stages.addAll(all);
        List<RuntimeException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Thread> starting = new ArrayList<>();
        for (Stage stage : all) {
            Thread t = InferenceRuntime.nativeThread(() -> {
                try {
                    stage.start();
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }, "start-" + stage.name());
            t.start();
            starting.add(t);
        }
        for (Thread t : starting) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the local pipeline", e);
            }
        }
        if (!failures.isEmpty()) {
            RuntimeException first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    /** The refiner workers of this pipeline. */
    public List<RefinerWorker> refiners() {
        return stages.stream().filter(RefinerWorker.class::isInstance).map(RefinerWorker.class::cast).toList();
    }

    /** Configuration for clients of this pipeline (bootstrap, registry, topic prefix). */
    public GrnConfig clientConfig() {
        return clientConfig;
    }

    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        for (int i = stages.size() - 1; i >= 0; i--) {
            try {
                stages.get(i).close();
            } catch (RuntimeException e) {
                // keep closing the rest
            }
        }
        broker.close();
    }
}
