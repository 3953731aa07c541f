package io.grnstream.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.client.ClientSettings;
import io.grnstream.client.GrnClient;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.RequestEventJson;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The status service against a real broker: what it answers, across instances, and for the client. */
class StatusServiceTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private Map<String, String> shared;
    private Topic<RequestEvent> events;
    private KafkaProducer<byte[], byte[]> producer;
    private final List<StatusService> running = new ArrayList<>();
    private final String applicationId = "status-" + UUID.randomUUID();

    @BeforeEach
    void provision() {
        shared = Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", "4",
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "ops.http.port", "-1");
        GrnConfig config = ConfigLoader.fromMap(StatusSettings.definition(), shared);
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
        }
        events = topics.topic(Topics.EVENTS);
        producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "status-test-writer"));
    }

    @AfterEach
    void stopAll() {
        running.forEach(StatusService::close);
        producer.close();
    }

    private StatusService start(String name) throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Map<String, String> settings = new HashMap<>(shared);
        settings.putAll(Map.of(
                "status.application.id", applicationId,
                "status.state.dir", dir.resolve(name).toString(),
                "status.http.port", Integer.toString(port),
                "status.advertised.url", "http://localhost:" + port,
                "instance.id", name));
        StatusService service = new StatusService(ConfigLoader.fromMap(StatusSettings.definition(), settings),
                new SimpleMeterRegistry());
        running.add(service);
        service.start();
        return service;
    }

    private void publish(String id, RequestStatus status, Stage stage) {
        producer.send(events.record(id, Events.event(id, status, stage, "test", System.currentTimeMillis()).build()));
        producer.flush();
    }

    private static HttpResponse<String> get(StatusService service, String rawId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + StatusService.PATH + rawId))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits for the view to reach {@code status}: it follows the topic a moment behind. */
    private static RequestEvent awaitStatus(StatusService service, String id, RequestStatus status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(service, id);
            if (last.statusCode() == 200) {
                RequestEvent e = RequestEventJson.parse(last.body());
                if (e.getStatus() == status) {
                    return e;
                }
            }
            Thread.sleep(50);
        }
        fail(id + " never reached " + status + "; last answer " + (last == null ? "none" : last.statusCode() + " " + last.body()));
        return null;
    }

    @Test
    void answersEachRequestsLatestEventAndFollowsTheTopic() throws Exception {
        publish("done", RequestStatus.QUEUED, Stage.SUBMITTED);
        publish("done", RequestStatus.IN_PROGRESS, Stage.REFINING);
        publish("done", RequestStatus.COMPLETED, Stage.ASSEMBLING);
        publish("waiting", RequestStatus.QUEUED, Stage.SUBMITTED);
        StatusService service = start("a");
        assertEquals(Stage.ASSEMBLING, awaitStatus(service, "done", RequestStatus.COMPLETED).getStage());
        awaitStatus(service, "waiting", RequestStatus.QUEUED);
        publish("waiting", RequestStatus.IN_PROGRESS, Stage.DECODING);
        assertEquals(Stage.DECODING, awaitStatus(service, "waiting", RequestStatus.IN_PROGRESS).getStage());

        try (Admin admin = KafkaClients.admin(ConfigLoader.fromMap(StatusSettings.definition(), shared))) {
            assertTrue(admin.listTopics().names().get().stream().noneMatch(t -> t.startsWith(applicationId)),
                    "the events topic is the view's changelog; no topic of its own is made");
        }
        HttpResponse<String> unknown = get(service, "nobody-sent-this");
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"requestId\":\"nobody-sent-this\",\"status\":\"NOT_FOUND\"}", unknown.body());
        HttpResponse<String> bad = get(service, "..%2Fetc");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("no request can have the id '../etc'"), bad.body());
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port()
                + StatusService.PATH + "done")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void everyInstanceAnswersForEveryIdByForwardingToTheOneThatHoldsIt() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            ids.add("request-" + i);
            publish("request-" + i, RequestStatus.COMPLETED, Stage.ASSEMBLING);
        }
        StatusService a = start("a");
        StatusService b = start("b");
        // Until the group settles, an instance may hold every partition; wait until each holds some.
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(a.isReady() && b.isReady() && a.partitionsHeld() > 0 && b.partitionsHeld() > 0)) {
            if (System.nanoTime() > deadline) {
                fail("the two instances never split the partitions: " + a.partitionsHeld() + " and " + b.partitionsHeld());
            }
            Thread.sleep(100);
        }
        for (String id : ids) {
            awaitStatus(a, id, RequestStatus.COMPLETED);
            awaitStatus(b, id, RequestStatus.COMPLETED);
            assertEquals(404, get(a, id + "-unknown").statusCode());
            assertEquals(404, get(b, id + "-unknown").statusCode());
        }
        assertTrue(a.lookupsForwarded() > 0 && b.lookupsForwarded() > 0,
                "each instance forwarded the ids it does not hold: " + a.lookupsForwarded() + ", " + b.lookupsForwarded());
    }

    @Test
    void theClientAsksTheServiceInsteadOfReadingThePartition() throws Exception {
        publish("known", RequestStatus.QUEUED, Stage.SUBMITTED);
        publish("known", RequestStatus.CANCELLED, Stage.REFINING);
        StatusService service = start("a");
        awaitStatus(service, "known", RequestStatus.CANCELLED);
        Map<String, String> withService = new HashMap<>(shared);
        withService.put("status.url", "http://localhost:" + service.port());
        try (GrnClient client = new GrnClient(ConfigLoader.fromMap(ClientSettings.definition(), withService))) {
            assertEquals(RequestStatus.CANCELLED, client.latestEvent("known").orElseThrow().getStatus());
            assertEquals(Optional.empty(), client.latestEvent("nobody-sent-this"));
            assertEquals(0, client.lookupRecordsRead(), "answered by the service, not by reading the partition");
        }
        int closedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }
        Map<String, String> deadService = new HashMap<>(shared);
        deadService.put("status.url", "http://localhost:" + closedPort);
        try (GrnClient client = new GrnClient(ConfigLoader.fromMap(ClientSettings.definition(), deadService))) {
            assertEquals(RequestStatus.CANCELLED, client.latestEvent("known").orElseThrow().getStatus());
            assertTrue(client.lookupRecordsRead() > 0, "a service that does not answer falls back to the partition read");
        }
    }
}
