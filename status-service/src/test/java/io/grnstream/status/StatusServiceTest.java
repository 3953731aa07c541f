package io.grnstream.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.avro.VideoReady;
import io.grnstream.client.ClientSettings;
import io.grnstream.client.GrnClient;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.RequestEventJson;
import io.grnstream.kafka.SampleRecords;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicReader;
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
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
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
    private TopicRegistry topics;
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
        topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
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
        return start(name, Map.of());
    }

    private StatusService start(String name, Map<String, String> more) throws IOException {
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
        settings.putAll(more);
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
        // Where the finished MP4 is: from the compacted videos topic, never the bytes.
        producer.send(topics.topic(Topics.VIDEOS).record("done",
                VideoReady.newBuilder(SampleRecords.video()).setRequestId("done").build()));
        producer.flush();
        HttpResponse<String> video = get(service, "done/video");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (video.statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            video = get(service, "done/video");
        }
        assertEquals(200, video.statusCode(), video.body());
        assertTrue(video.body().contains("\"uri\":\"file:///blobs/req-7f3a/video.mp4\"") && video.body().contains("\"sha256\":\"efef")
                && !video.body().contains("inline"), video.body());
        HttpResponse<String> noVideo = get(service, "waiting/video");
        assertEquals(404, noVideo.statusCode());
        assertTrue(noVideo.body().contains("no video for this id"), noVideo.body());
        HttpResponse<String> bad = get(service, "..%2Fetc");
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("no request can have the id '../etc'"), bad.body());
        assertEquals(405, send(service, "POST", StatusService.PATH + "done", "{}").statusCode());
        assertEquals(405, send(service, "POST", StatusService.COLLECTION, "{\"prompt\": \"x\"}").statusCode(),
                "submitting over HTTP is off unless enabled");
        assertEquals(405, send(service, "DELETE", StatusService.PATH + "done", null).statusCode());
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

    private static HttpResponse<Stream<String>> follow(StatusService service, String id) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + StatusService.PATH + id
                + "/events")).GET().build(), HttpResponse.BodyHandlers.ofLines());
    }

    /** The next event of a server-sent event stream; comments (heartbeats) are counted. */
    private static RequestEvent nextEvent(Iterator<String> lines, int[] heartbeats) {
        while (lines.hasNext()) {
            String line = lines.next();
            if (line.startsWith("data: ")) {
                return RequestEventJson.parse(line.substring("data: ".length()));
            }
            if (line.startsWith(":")) {
                heartbeats[0]++;
            }
        }
        fail("the stream ended");
        return null;
    }

    @Test
    @Timeout(90)
    void followsARequestAsServerSentEventsUntilItEnds() throws Exception {
        publish("followed", RequestStatus.QUEUED, Stage.SUBMITTED);
        StatusService service = start("a");
        awaitStatus(service, "followed", RequestStatus.QUEUED);
        HttpResponse<Stream<String>> stream = follow(service, "followed");
        assertEquals(200, stream.statusCode());
        assertEquals("text/event-stream", stream.headers().firstValue("Content-Type").orElseThrow());
        Iterator<String> lines = stream.body().iterator();
        int[] heartbeats = new int[1];
        assertEquals(RequestStatus.QUEUED, nextEvent(lines, heartbeats).getStatus());
        publish("followed", RequestStatus.IN_PROGRESS, Stage.REFINING);
        assertEquals(Stage.REFINING, nextEvent(lines, heartbeats).getStage());
        publish("followed", RequestStatus.IN_PROGRESS, Stage.DECODING);
        assertEquals(Stage.DECODING, nextEvent(lines, heartbeats).getStage());
        publish("followed", RequestStatus.FAILED, Stage.ASSEMBLING);
        assertEquals(RequestStatus.FAILED, nextEvent(lines, heartbeats).getStatus());
        while (lines.hasNext()) {
            String line = lines.next();
            assertFalse(line.startsWith("data:"), "nothing after the terminal event: " + line);
        }
        // An id nobody sends is refused after a short wait, not followed forever.
        HttpResponse<Stream<String>> unknown = follow(service, "nobody-sent-this");
        assertEquals(404, unknown.statusCode());
    }

    @Test
    @Timeout(120)
    void aStreamReachingAnInstanceWithoutTheIdIsRelayedAndIdleStreamsGetHeartbeats() throws Exception {
        List<String> ids = List.of("f-0", "f-1", "f-2", "f-3", "f-4", "f-5");
        ids.forEach(id -> publish(id, RequestStatus.QUEUED, Stage.SUBMITTED));
        Map<String, String> fastHeartbeat = Map.of("status.streams.heartbeat", "200ms");
        StatusService a = start("a", fastHeartbeat);
        StatusService b = start("b", fastHeartbeat);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(a.isReady() && b.isReady() && a.partitionsHeld() > 0 && b.partitionsHeld() > 0)) {
            if (System.nanoTime() > deadline) {
                fail("the two instances never split the partitions");
            }
            Thread.sleep(100);
        }
        for (String id : ids) {
            awaitStatus(a, id, RequestStatus.QUEUED);
        }
        long forwardedBefore = a.lookupsForwarded() + b.lookupsForwarded();
        List<Iterator<String>> streams = new ArrayList<>();
        for (String id : ids) {
            for (StatusService via : List.of(a, b)) {
                HttpResponse<Stream<String>> r = follow(via, id);
                assertEquals(200, r.statusCode());
                streams.add(r.body().iterator());
            }
        }
        int[] heartbeats = new int[1];
        for (Iterator<String> lines : streams) {
            assertEquals(RequestStatus.QUEUED, nextEvent(lines, heartbeats).getStatus());
        }
        Thread.sleep(600);
        ids.forEach(id -> publish(id, RequestStatus.COMPLETED, Stage.ASSEMBLING));
        for (Iterator<String> lines : streams) {
            assertEquals(RequestStatus.COMPLETED, nextEvent(lines, heartbeats).getStatus());
        }
        assertTrue(heartbeats[0] >= streams.size(), "every idle stream sent heartbeats: " + heartbeats[0]);
        assertEquals(ids.size(), a.lookupsForwarded() + b.lookupsForwarded() - forwardedBefore,
                "each id's stream was relayed once, by the instance that does not hold it");
    }

    private static HttpResponse<String> send(StatusService service, String method, String path, String body)
            throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + service.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withSubmissionOnRequestsAreSubmittedAndCancelledOverHttpOnce() throws Exception {
        StatusService service = start("api", Map.of("status.submit.enabled", "true"));
        String body = "{\"requestId\": \"over-http\", \"prompt\": \"a red circle moving left on a black background\","
                + " \"steps\": 8, \"priority\": 2}";
        HttpResponse<String> created = send(service, "POST", StatusService.COLLECTION, body);
        assertEquals(202, created.statusCode(), created.body());
        assertEquals("/v1/requests/over-http", created.headers().firstValue("Location").orElseThrow());
        assertTrue(created.body().contains("\"eventsUrl\":\"/v1/requests/over-http/events\""), created.body());
        List<GenerationRequest> sent = TopicReader.readUntil(ConfigLoader.fromMap(StatusSettings.definition(), shared), topics,
                Topics.REQUESTS, l -> !l.isEmpty(), Duration.ofSeconds(30));
        assertEquals(1, sent.size());
        assertEquals(new FixedSteps(8), sent.get(0).getStepPolicy());
        assertEquals(2, sent.get(0).getPriority());
        awaitStatus(service, "over-http", RequestStatus.QUEUED);

        HttpResponse<String> again = send(service, "POST", StatusService.COLLECTION + "/", body);
        assertEquals(200, again.statusCode(), "a retried POST answers the existing request: " + again.body());
        assertEquals(1, TopicReader.readUntil(ConfigLoader.fromMap(StatusSettings.definition(), shared), topics,
                Topics.REQUESTS, l -> false, Duration.ofSeconds(2)).size(), "and makes no second request");

        HttpResponse<String> typo = send(service, "POST", StatusService.COLLECTION, "{\"promt\": \"x\"}");
        assertEquals(400, typo.statusCode());
        assertTrue(typo.body().contains("\"field\":\"promt\""), typo.body());

        HttpResponse<String> cancelled = send(service, "DELETE", StatusService.PATH + "over-http?reason=changed%20my%20mind", null);
        assertEquals(202, cancelled.statusCode(), cancelled.body());
        List<ControlCommand> commands = TopicReader.readUntil(ConfigLoader.fromMap(StatusSettings.definition(), shared),
                topics, Topics.CONTROL, l -> !l.isEmpty(), Duration.ofSeconds(30));
        assertEquals("changed my mind", commands.get(0).getReason());
        assertEquals(ControlAction.CANCEL, commands.get(0).getAction());
        assertEquals(404, send(service, "DELETE", StatusService.PATH + "nobody-sent-this", null).statusCode());
        publish("over-http", RequestStatus.CANCELLED, Stage.REFINING);
        awaitStatus(service, "over-http", RequestStatus.CANCELLED);
        assertEquals(409, send(service, "DELETE", StatusService.PATH + "over-http", null).statusCode(), "it has ended");
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
