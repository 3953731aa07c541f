package io.grnstream.notifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.avro.VideoReady;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.SampleRecords;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicReader;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The notifier against a real broker and a real HTTP receiver. */
class NotifierServiceTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cret";

    /** One call the receiver got. */
    record Call(String path, Map<String, String> headers, String body) {
    }

    @TempDir
    Path dir;
    private GrnConfig config;
    private TopicRegistry topics;
    private KafkaProducer<byte[], byte[]> producer;
    private HttpServer receiver;
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    /** Status codes to answer per path, in order; 200 once they run out. */
    private final Map<String, Deque<Integer>> answers = new ConcurrentHashMap<>();
    private NotifierService notifier;

    @BeforeEach
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            Map<String, String> headers = new HashMap<>();
            ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), v.get(0)));
            calls.add(new Call(ex.getRequestURI().getPath(), headers,
                    new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            Deque<Integer> scripted = answers.get(ex.getRequestURI().getPath());
            Integer code = scripted == null ? null : scripted.poll();
            ex.sendResponseHeaders(code == null ? 200 : code, -1);
            ex.close();
        });
        receiver.start();
        config = ConfigLoader.fromMap(NotifierSettings.definition(), Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", "2",
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "notifier.application.id", "notifier-" + UUID.randomUUID(),
                "notifier.state.dir", dir.toString(),
                "notifier.webhook.secret", SECRET,
                "notifier.webhook.max.attempts", "3",
                "notifier.webhook.initial.backoff", "50ms",
                "notifier.start.from", "earliest"));
        topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
        }
        producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "notifier-test-writer"));
        notifier = new NotifierService(config, new SimpleMeterRegistry());
        notifier.start();
    }

    @AfterEach
    void stop() {
        notifier.close();
        producer.close();
        receiver.stop(0);
    }

    private String url(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private void submit(String id, String hook, String replayOf) {
        Map<String, String> metadata = new HashMap<>(Map.of("team", "ads"));
        if (hook != null) {
            metadata.put(NotifierSettings.WEBHOOK_URL_KEY, hook);
        }
        GenerationRequest r = GenerationRequest.newBuilder(SampleRecords.request()).setRequestId(id)
                .setClientMetadata(metadata).setReplayOf(replayOf).build();
        send(topics.topic(Topics.REQUESTS), id, r);
    }

    private void finish(String id) {
        send(topics.topic(Topics.VIDEOS), id, VideoReady.newBuilder(SampleRecords.video()).setRequestId(id).build());
        send(topics.topic(Topics.EVENTS), id, Events.event(id, RequestStatus.COMPLETED, Stage.ASSEMBLING, "t", 1L).build());
    }

    private void fail(String id, RequestStatus status) {
        send(topics.topic(Topics.EVENTS), id, Events.failed(id, status, Stage.DECODING, ErrorType.MODEL_FAILURE,
                "decoder failed", false, "t", 1L));
    }

    private <V extends org.apache.avro.specific.SpecificRecord> void send(Topic<V> topic, String id, V value) {
        producer.send(topic.record(id, value));
        producer.flush();
    }

    private Call nextCall() throws InterruptedException {
        Call c = calls.poll(30, TimeUnit.SECONDS);
        assertNotNull(c, "no webhook call within 30 s");
        return c;
    }

    private List<DeadLetter> deadLetters(int atLeast) {
        return TopicReader.readUntil(config, topics, Topics.DLQ, l -> l.size() >= atLeast, Duration.ofSeconds(30));
    }

    @Test
    void aFinishedVideoAndAFailedRequestEachCallTheirWebhookOnceSigned() throws Exception {
        submit("with-video", url("/video"), null);
        submit("with-failure", url("/failure"), null);
        submit("without-hook", null, null);
        finish("with-video");
        fail("with-failure", RequestStatus.FAILED);
        finish("without-hook");
        finish("with-video");   // a duplicate, as after a crash: no second call

        Map<String, Call> byPath = new HashMap<>();
        for (int i = 0; i < 2; i++) {
            Call c = nextCall();
            byPath.put(c.path(), c);
        }
        Call video = byPath.get("/video");
        JsonNode body = JSON.readTree(video.body());
        assertEquals("video.ready", body.get("type").asText());
        assertEquals("with-video", body.get("requestId").asText());
        assertEquals("file:///blobs/req-7f3a/video.mp4", body.at("/video/uri").asText());
        assertEquals("ef".repeat(32), body.at("/video/sha256").asText());
        assertTrue(body.at("/video/inlineBytes").isMissingNode(), "never the bytes themselves");
        assertEquals("video.ready", video.headers().get("x-grn-event"));
        assertEquals("with-video/video.ready", video.headers().get("x-grn-delivery"));
        assertEquals("1", video.headers().get("x-grn-attempt"));
        long timestamp = Long.parseLong(video.headers().get("x-grn-timestamp"));
        assertEquals(Webhook.signature(SECRET, timestamp, video.body()), video.headers().get("x-grn-signature"));

        Call failure = byPath.get("/failure");
        JsonNode ended = JSON.readTree(failure.body());
        assertEquals("request.ended", ended.get("type").asText());
        assertEquals("FAILED", ended.get("status").asText());
        assertEquals("MODEL_FAILURE", ended.at("/event/error/type").asText());
        assertEquals(Webhook.signature(SECRET, Long.parseLong(failure.headers().get("x-grn-timestamp")), failure.body()),
                failure.headers().get("x-grn-signature"));

        assertNull(calls.poll(2, TimeUnit.SECONDS), "no other call: not for the duplicate, not without a hook");
    }

    @Test
    void aFailingReceiverIsRetriedWithBackoffAndAHopelessOneIsDeadLettered() throws Exception {
        answers.put("/flaky", new ConcurrentLinkedDeque<>(List.of(500, 503)));
        answers.put("/down", new ConcurrentLinkedDeque<>(List.of(500, 500, 500, 500)));
        answers.put("/gone", new ConcurrentLinkedDeque<>(List.of(410)));
        for (String id : List.of("flaky", "down", "gone")) {
            submit(id, url("/" + id), null);
            fail(id, RequestStatus.CANCELLED);
        }
        List<Call> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (seen.size() < 7 && System.nanoTime() < deadline) {
            Call c = calls.poll(1, TimeUnit.SECONDS);
            if (c != null) {
                seen.add(c);
            }
        }
        List<String> flakyAttempts = seen.stream().filter(c -> c.path().equals("/flaky"))
                .map(c -> c.headers().get("x-grn-attempt")).toList();
        assertEquals(List.of("1", "2", "3"), flakyAttempts, "delivered on the third attempt");
        assertEquals(3, seen.stream().filter(c -> c.path().equals("/down")).count(), "max.attempts");
        assertEquals(1, seen.stream().filter(c -> c.path().equals("/gone")).count(), "a 410 is final");
        assertNull(calls.poll(1, TimeUnit.SECONDS), "nothing after giving up or delivering");

        List<DeadLetter> dead = deadLetters(2);
        Map<String, DeadLetter> byId = new HashMap<>();
        dead.forEach(d -> byId.put(d.getRequestId(), d));
        assertEquals(Map.of("down", 3, "gone", 1), Map.of("down", byId.get("down").getAttempt(), "gone", byId.get("gone").getAttempt()));
        assertEquals("notifier", byId.get("down").getStage());
        assertEquals(ErrorType.TRANSIENT, byId.get("down").getErrorType());
        assertTrue(byId.get("gone").getErrorMessage().contains("refused it (HTTP 410)"), byId.get("gone").getErrorMessage());
        JsonNode body = JSON.readTree(StandardCharsets.UTF_8.decode(byId.get("down").getOriginalValue()).toString());
        assertEquals("CANCELLED", body.get("status").asText(), "the dead letter holds the webhook body, to resend by hand");
        assertEquals(2, dead.size(), "the delivered one is not dead-lettered: " + byId.keySet());
    }

    @Test
    void aBadUrlIsDeadLetteredAndAReplayCallsNoWebhook() throws Exception {
        submit("bad-url", "ftp://files.example.com/hook", null);
        submit("replayed-run", url("/replay"), "original-id");
        finish("bad-url");
        finish("replayed-run");
        DeadLetter d = deadLetters(1).get(0);
        assertEquals("bad-url", d.getRequestId());
        assertEquals(ErrorType.INVALID_REQUEST, d.getErrorType());
        assertTrue(d.getErrorMessage().contains("not an http or https URL"), d.getErrorMessage());
        assertNull(calls.poll(2, TimeUnit.SECONDS), "no call for either");
    }
}
