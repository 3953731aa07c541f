package io.grnstream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Lookups read the events partition backwards in windows: a recent request costs one window, an
 * old one is still found, and a key's latest event wins even when its events span windows.
 */
class GrnClientLookupTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    /** Other requests' events, a few windows' worth, all in the one partition. */
    private static final int FILLER = 3 * GrnClient.LOOKUP_WINDOW + 100;

    private static GrnClient client;
    private static GrnConfig config;
    private static String eventsTopic;

    @BeforeAll
    static void start() {
        config = ConfigLoader.fromMap(CommonSettings.definition("lookup-test"), Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", "1",
                "schema.registry.url", "mem://" + UUID.randomUUID()));
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
        }
        Topic<RequestEvent> events = topics.topic(Topics.EVENTS);
        eventsTopic = events.name();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                KafkaClients.producerProperties(config, "lookup-test-writer"))) {
            producer.send(events.record("old", event("old", RequestStatus.QUEUED)));
            producer.send(events.record("spanning", event("spanning", RequestStatus.QUEUED)));
            for (int i = 0; i < FILLER; i++) {
                producer.send(events.record("filler-" + i, event("filler-" + i, RequestStatus.QUEUED)));
            }
            producer.send(events.record("spanning", event("spanning", RequestStatus.COMPLETED)));
            producer.send(events.record("recent", event("recent", RequestStatus.QUEUED)));
            producer.send(events.record("recent", event("recent", RequestStatus.IN_PROGRESS)));
            producer.flush();
        }
        client = new GrnClient(config);
    }

    @AfterAll
    static void stop() {
        client.close();
    }

    /** Records in the events partition now (the submit tests add some, in any order). */
    private static long eventsInPartition() {
        Map<String, Object> props = KafkaClients.consumerProperties(config, "unused", "lookup-test-count");
        props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        try (KafkaConsumer<byte[], byte[]> counter = KafkaClients.bytesConsumer(props)) {
            List<TopicPartition> tp = List.of(new TopicPartition(eventsTopic, 0));
            return counter.endOffsets(tp).get(tp.get(0)) - counter.beginningOffsets(tp).get(tp.get(0));
        }
    }

    private static RequestEvent event(String id, RequestStatus status) {
        return Events.event(id, status, Stage.SUBMITTED, "lookup-test", System.currentTimeMillis()).build();
    }

    @Test
    void aRecentRequestCostsOneWindowAndGetsItsLatestEvent() {
        long before = client.lookupRecordsRead();
        assertEquals(RequestStatus.IN_PROGRESS, client.latestEvent("recent").orElseThrow().getStatus());
        long read = client.lookupRecordsRead() - before;
        assertTrue(read <= GrnClient.LOOKUP_WINDOW, "read " + read + " records for the newest request");
    }

    @Test
    void anOldRequestIsStillFoundAtTheStartOfThePartition() {
        long records = eventsInPartition();
        long before = client.lookupRecordsRead();
        assertEquals(RequestStatus.QUEUED, client.latestEvent("old").orElseThrow().getStatus());
        assertEquals(records, client.lookupRecordsRead() - before, "the whole partition, once");
    }

    @Test
    void theLatestEventWinsWhenAKeySpansWindows() {
        assertEquals(RequestStatus.COMPLETED, client.latestEvent("spanning").orElseThrow().getStatus());
    }

    @Test
    void anUnknownIdIsNotFoundAfterReadingEveryRecordOnce() {
        long records = eventsInPartition();
        long before = client.lookupRecordsRead();
        assertTrue(client.latestEvent("never-submitted").isEmpty());
        assertEquals(records, client.lookupRecordsRead() - before);
        assertTrue(records >= FILLER + 5, records + " records");
    }

    @Test
    void submittingWithoutAnIdLooksNothingUp() {
        long before = client.lookupRecordsRead();
        RequestHandle handle = client.submit(GenerationRequest.newBuilder(minimalRequest()).setRequestId("").build());
        assertEquals(before, client.lookupRecordsRead(), "a made-up id is new by construction");
        assertEquals(RequestStatus.QUEUED, client.latestEvent(handle.requestId()).orElseThrow().getStatus());
    }

    @Test
    void resubmittingAnExistingIdProducesNothing() {
        client.submit(GenerationRequest.newBuilder(minimalRequest()).setRequestId("recent").build());
        assertEquals(RequestStatus.IN_PROGRESS, client.latestEvent("recent").orElseThrow().getStatus(),
                "no second QUEUED event for an id that exists");
    }

    private static GenerationRequest minimalRequest() {
        return io.grnstream.kafka.SampleRecords.request();
    }
}
