package io.grnstream.benchmarks;

import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.client.ClientSettings;
import io.grnstream.client.GrnClient;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.kafka.embedded.EmbeddedKafkaBroker;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.status.StatusService;
import io.grnstream.status.StatusSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * What a status lookup costs on a long events topic: the client reading the id's partition
 * (newest first, in windows) against asking the status service, for a recent id, an old one and an
 * unknown one. Medians of repeated lookups, measured in one run on one embedded broker.
 * <pre>java -cp benchmarks/target/benchmarks.jar io.grnstream.benchmarks.StatusLookupBenchmark [requests]</pre>
 */
public final class StatusLookupBenchmark {
    private static final int PARTITIONS = 4;
    private static final int REPEATS = 15;

    private StatusLookupBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        Path work = Files.createTempDirectory("grn-status-bench-");
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start()) {
            Map<String, String> shared = new HashMap<>(Map.of(
                    "bootstrap.servers", broker.bootstrapServers(),
                    "topic.partitions", Integer.toString(PARTITIONS),
                    "schema.registry.url", "mem://status-bench",
                    "ops.http.port", "-1"));
            GrnConfig config = ConfigLoader.fromMap(StatusSettings.definition(), shared);
            TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
            try (Admin admin = KafkaClients.admin(config)) {
                TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
            }
            Topic<RequestEvent> events = topics.topic(Topics.EVENTS);
            long t0 = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                    KafkaClients.producerProperties(config, "status-bench-writer"))) {
                for (int i = 0; i < requests; i++) {
                    String id = "request-" + i;
                    producer.send(events.record(id, Events.event(id, RequestStatus.COMPLETED, Stage.ASSEMBLING, "bench",
                            System.currentTimeMillis()).build()));
                }
                producer.flush();
            }
            System.out.printf("%d requests written to %d partitions in %.1f s%n", requests, PARTITIONS,
                    (System.nanoTime() - t0) / 1e9);

            Map<String, String> statusSettings = new HashMap<>(shared);
            statusSettings.putAll(Map.of("status.http.port", "0", "status.advertised.url", "",
                    "status.state.dir", work.resolve("state").toString()));
            long s0 = System.nanoTime();
            try (StatusService service = new StatusService(ConfigLoader.fromMap(StatusSettings.definition(), statusSettings),
                    new SimpleMeterRegistry())) {
                service.start();
                String newest = "request-" + (requests - 1);
                try (GrnClient scan = new GrnClient(ConfigLoader.fromMap(ClientSettings.definition(), shared))) {
                    Map<String, String> withService = new HashMap<>(shared);
                    withService.put("status.url", "http://localhost:" + service.port());
                    try (GrnClient asking = new GrnClient(ConfigLoader.fromMap(ClientSettings.definition(), withService))) {
                        // The view is built when the newest request is in it.
                        while (asking.latestEvent(newest).isEmpty()) {
                            Thread.sleep(20);
                        }
                        System.out.printf("status view built from the topic in %.1f s (start-up included)%n",
                                (System.nanoTime() - s0) / 1e9);
                        System.out.println("| lookup | partition read (ms) | status service (ms) | ratio |");
                        System.out.println("|---|---|---|---|");
                        for (String[] c : new String[][] {{"recent id", newest}, {"old id", "request-0"},
                                {"unknown id", "nobody-sent-this"}}) {
                            double read = medianMillis(scan, c[1]);
                            double asked = medianMillis(asking, c[1]);
                            System.out.printf("| %s | %.2f | %.2f | %.1fx |%n", c[0], read, asked, read / asked);
                        }
                        if (asking.lookupRecordsRead() != 0) {
                            throw new IllegalStateException("the asking client read the topic: " + asking.lookupRecordsRead());
                        }
                    }
                }
            }
        }
    }

    private static double medianMillis(GrnClient client, String id) {
        double[] ms = new double[REPEATS];
        boolean present = client.latestEvent(id).isPresent();   // warm-up, and the answer both sides must agree on
        for (int i = 0; i < REPEATS; i++) {
            long t = System.nanoTime();
            if (client.latestEvent(id).isPresent() != present) {
                throw new IllegalStateException("the answer for " + id + " changed");
            }
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        Arrays.sort(ms);
        return ms[REPEATS / 2];
    }
}
