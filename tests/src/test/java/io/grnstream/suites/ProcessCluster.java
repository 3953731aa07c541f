package io.grnstream.suites;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.embedded.EmbeddedKafkaBroker;
import io.grnstream.registry.InMemorySchemaRegistry;
import io.grnstream.registry.RegistryHttpStub;
import io.grnstream.registry.SchemaRegistries;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * A real broker in this JVM (restartable on the same port and data), a schema registry over HTTP
 * and a blob directory that every stage shares, and the stages themselves as child JVMs started
 * as the containers start them.
 */
final class ProcessCluster implements AutoCloseable {
    static final Path MODEL = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();

    private final Path work;
    private final Path logs;
    private final int port;
    private final RegistryHttpStub registry;
    private final Map<String, String> shared;
    private final GrnConfig clientConfig;
    private final TopicRegistry topics;
    private final Map<String, Map<String, String>> definitions = new LinkedHashMap<>();
    private final Map<String, StageProcess> stages = new ConcurrentHashMap<>();
    private volatile EmbeddedKafkaBroker broker;

    private ProcessCluster(Path work, Path logs) throws Exception {
        this.work = work;
        this.logs = logs;
        this.port = StageProcess.freePort();
        this.broker = newBroker().start();
        this.registry = RegistryHttpStub.start(new InMemorySchemaRegistry());
        this.shared = Map.of(
                "bootstrap.servers", broker.bootstrapServers(),
                "schema.registry.url", registry.url(),
                "topic.partitions", "2",
                "blob.store.uri", work.resolve("blobs").toUri().toString());
        this.clientConfig = ConfigLoader.fromMap(CommonSettings.definition("grn"), shared);
        this.topics = new TopicRegistry(clientConfig, SchemaRegistries.fromConfig(clientConfig));
        try (Admin admin = KafkaClients.admin(clientConfig)) {
            TopicProvisioner.ensureTopics(admin, topics, clientConfig, Duration.ofSeconds(60));
        }
    }

    /** Starts the broker and registry and creates the topics; {@code logs} keeps the stages' output. */
    static ProcessCluster start(Path work, Path logs) throws Exception {
        return new ProcessCluster(work, logs);
    }

    private EmbeddedKafkaBroker newBroker() {
        return EmbeddedKafkaBroker.builder().dataDir(work.resolve("kafka"), false).port(port).build();
    }

    GrnConfig clientConfig() {
        return clientConfig;
    }

    TopicRegistry topics() {
        return topics;
    }

    /** Declares a stage process: {@code stage} is refiner, encoder, assembler or status. */
    ProcessCluster define(String stage, String name, Map<String, String> own) {
        Map<String, String> all = new LinkedHashMap<>(shared);
        switch (stage) {
            case "assembler" -> all.put("assembler.state.dir", work.resolve("state-" + name).toString());
            case "status" -> all.put("status.state.dir", work.resolve("state-" + name).toString());
            default -> {
                all.put("model.dir", MODEL.toString());
                all.put("inference.intra.op.threads", "1");
            }
        }
        all.putAll(own);
        all.put("stage", stage);
        definitions.put(name, all);
        return this;
    }

    /** Starts (or starts again, under the same instance id) a declared stage. */
    StageProcess launch(String name) {
        Map<String, String> settings = new LinkedHashMap<>(definitions.get(name));
        String stage = settings.remove("stage");
        StageProcess p = StageProcess.start(stage, name, logs, settings);
        stages.put(name, p);
        return p;
    }

    /** Starts every declared stage and waits until each reports ready. */
    void launchAll() throws InterruptedException {
        definitions.keySet().forEach(this::launch);
        for (StageProcess p : stages.values()) {
            p.awaitReady(Duration.ofMinutes(2));
        }
    }

    StageProcess stage(String name) {
        return stages.get(name);
    }

    Collection<StageProcess> stages() {
        return stages.values();
    }

    void stopBroker() {
        broker.close();
    }

    void startBroker() {
        broker = newBroker().start();
    }

    /** Ready is not yet working: waits until {@code members} members of {@code group} own partitions. */
    void awaitAssigned(String group, int members) throws Exception {
        try (Admin admin = KafkaClients.admin(clientConfig)) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (true) {
                long working = admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().stream()
                        .filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
                if (working >= members) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(working + " of " + members + " members of " + group
                            + " own partitions after 1 min\n" + tails());
                }
                Thread.sleep(100);
            }
        }
    }

    /** The last lines of every stage's output, for failure messages. */
    String tails() {
        StringBuilder b = new StringBuilder();
        stages.forEach((name, p) -> b.append("--- ").append(name).append(p.alive() ? "" : " (dead)").append('\n')
                .append(p.tail()).append('\n'));
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        for (StageProcess p : stages.values()) {
            p.close();
        }
        registry.close();
        broker.close();
    }
}
