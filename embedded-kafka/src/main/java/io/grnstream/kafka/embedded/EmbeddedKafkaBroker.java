package io.grnstream.kafka.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka broker (KRaft, combined broker and controller) running inside this JVM:
 * real log storage, real transactions, real consumer groups. {@link #start()} returns once a
 * client can talk to it; {@link #close()} stops it and deletes its data unless told to keep it.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final Path dataDir;
    private final boolean deleteOnClose;
    private final Properties serverProperties;
    private final String bootstrapServers;
    private final String saslBootstrapServers;
    private final Duration startTimeout;
    private KafkaRaftServer server;

    private EmbeddedKafkaBroker(Builder b) throws IOException {
        this.dataDir = b.dataDir != null ? b.dataDir : Files.createTempDirectory("grn-kafka-");
        this.deleteOnClose = b.dataDir == null || b.deleteOnClose;
        this.startTimeout = b.startTimeout;
        int port = b.port > 0 ? b.port : freePort();
        int controllerPort = freePort();
        this.bootstrapServers = "127.0.0.1:" + port;

        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        if (b.saslUsers.isEmpty()) {
            this.saslBootstrapServers = null;
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            // A second listener that only authenticated clients can use (SASL/PLAIN).
            int saslPort = freePort();
            this.saslBootstrapServers = "127.0.0.1:" + saslPort;
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort
                    + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",SASL_PLAINTEXT://127.0.0.1:" + saslPort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT");
            p.put("sasl.enabled.mechanisms", "PLAIN");
            StringBuilder jaas = new StringBuilder("org.apache.kafka.common.security.plain.PlainLoginModule required");
            b.saslUsers.forEach((user, password) -> jaas.append(" user_").append(user).append("=\"").append(password).append('"'));
            p.put("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas.append(';').toString());
        }
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", dataDir.resolve("logs").toString());
        // One node: every internal topic has one replica, and few partitions keep start-up fast.
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        // A lost consumer (or a static member that does not come back) frees its partitions in
        // seconds, not the production default of 45 s.
        p.put("group.consumer.min.session.timeout.ms", "6000");
        p.put("group.consumer.session.timeout.ms", "10000");
        // New members get partitions after a heartbeat round trip of the members that give them up:
        // at the default 5 s interval a second worker sat idle for up to 10 s after joining.
        p.put("group.consumer.min.heartbeat.interval.ms", "500");
        p.put("group.consumer.heartbeat.interval.ms", "1000");
        // Topics come from the provisioner with their designed settings, never from a typo.
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        p.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        p.putAll(b.overrides);
        this.serverProperties = p;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Formats the storage (first start only), starts the server and waits until it answers. */
    public EmbeddedKafkaBroker start() {
        long t0 = System.nanoTime();
        try {
            Path config = dataDir.resolve("server.properties");
            if (!Files.exists(dataDir.resolve("logs").resolve("meta.properties"))) {
                Files.createDirectories(dataDir);
                try (Writer w = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
                    serverProperties.store(w, "GRN Stream embedded broker");
                }
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                        config.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
                if (rc != 0) {
                    throw new IllegalStateException("formatting Kafka storage failed (rc " + rc + "): " + out);
                }
            }
            server = new KafkaRaftServer(KafkaConfig.fromProps(serverProperties, false), Time.SYSTEM);
            server.startup();
            awaitReady();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        log.info("Embedded Kafka broker ready at {} in {} ms (data in {})", bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0), dataDir);
        return this;
    }

    private void awaitReady() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        long deadline = System.nanoTime() + startTimeout.toNanos();
        RuntimeException last = null;
        try (Admin admin = Admin.create(props)) {
            while (System.nanoTime() < deadline) {
                try {
                    if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    last = new IllegalStateException(e);
                }
                sleep(100);
            }
        }
        close();
        throw new IllegalStateException("embedded Kafka broker did not become ready within " + startTimeout, last);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** The SASL/PLAIN listener, when users were configured. */
    public String saslBootstrapServers() {
        if (saslBootstrapServers == null) {
            throw new IllegalStateException("this broker has no SASL listener; configure users with saslPlainUsers");
        }
        return saslBootstrapServers;
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } finally {
                server = null;
            }
        }
        if (deleteOnClose) {
            deleteRecursively(dataDir);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
    }

    private static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            log.warn("could not delete broker data in {}: {}", root, e.toString());
        }
    }

    public static final class Builder {
        private Path dataDir;
        private boolean deleteOnClose = true;
        private int port;
        private Duration startTimeout = Duration.ofSeconds(60);
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<String, String> saslUsers = new LinkedHashMap<>();

        /** Adds a SASL_PLAINTEXT listener accepting these users (PLAIN mechanism). */
        public Builder saslPlainUsers(Map<String, String> usersAndPasswords) {
            saslUsers.putAll(usersAndPasswords);
            return this;
        }

        /** Keep data in this directory (reused across restarts); by default a temporary one. */
        public Builder dataDir(Path dir, boolean deleteOnClose) {
            this.dataDir = dir;
            this.deleteOnClose = deleteOnClose;
            return this;
        }

        /** Client port on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        /** Any broker property, e.g. listeners and SASL settings; applied last. */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedKafkaBroker build() {
            try {
                return new EmbeddedKafkaBroker(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
