package io.grnstream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.serde.ConfluentAvroSerializer;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every topic's value type through a real broker: transactional producer, read_committed consumer. */
class BrokerRoundTripTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    private GrnConfig config;
    private TopicRegistry topics;

    @BeforeEach
    void provision() {
        config = ConfigLoader.fromMap(CommonSettings.definition("round-trip-test"), Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", "3",
                "schema.registry.url", "mem://" + UUID.randomUUID()));
        topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            List<String> created = TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
            assertEquals(Topics.all().size(), created.size());
            assertTrue(TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30)).isEmpty(),
                    "provisioning twice creates nothing");
        }
    }

    @Test
    void provisionedTopicsCarryTheDesignedSettings() throws Exception {
        try (Admin admin = KafkaClients.admin(config)) {
            Topic<?> requests = topics.topic(Topics.REQUESTS);
            Topic<?> videos = topics.topic(Topics.VIDEOS);
            Topic<?> latents = topics.topic(Topics.LATENTS);
            Topic<?> events = topics.topic(Topics.EVENTS);
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, requests.name()),
                    new ConfigResource(ConfigResource.Type.TOPIC, videos.name()),
                    new ConfigResource(ConfigResource.Type.TOPIC, latents.name()),
                    new ConfigResource(ConfigResource.Type.TOPIC, events.name()))).all().get();
            assertEquals(Long.toString(Duration.ofDays(30).toMillis()),
                    configs.get(resource(requests)).get("retention.ms").value());
            assertEquals("compact", configs.get(resource(videos)).get("cleanup.policy").value());
            assertEquals("compact,delete", configs.get(resource(events)).get("cleanup.policy").value());
            assertEquals(Integer.toString(4 * 1024 * 1024), configs.get(resource(latents)).get("max.message.bytes").value());
            assertEquals(3, admin.describeTopics(List.of(requests.name())).allTopicNames().get()
                    .get(requests.name()).partitions().size());
        }
    }

    private static ConfigResource resource(Topic<?> topic) {
        return new ConfigResource(ConfigResource.Type.TOPIC, topic.name());
    }

    @Test
    void everySchemaRoundTripsInTheConfluentWireFormat() {
        Map<TopicDef<?>, SpecificRecord> samples = SampleRecords.byTopic();
        assertEquals(Set.copyOf(Topics.all()), samples.keySet(), "a sample exists for every topic");

        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                KafkaClients.transactionalProducerProperties(config, "round-trip", "round-trip-" + UUID.randomUUID()))) {
            producer.initTransactions();
            producer.beginTransaction();
            samples.forEach((def, value) -> producer.send(record(def, value)));
            producer.commitTransaction();
        }

        Map<String, ConsumerRecord<byte[], byte[]>> received = consumeAll(samples.size());
        for (TopicDef<?> def : Topics.all()) {
            Topic<?> topic = topics.topic(def);
            ConsumerRecord<byte[], byte[]> record = received.get(topic.name());
            assertEquals(0, record.value()[0], "magic byte on " + topic.name());
            assertEquals(SampleRecords.REQUEST_ID, topic.key(record));
            assertEquals(samples.get(def), topic.value(record), "value on " + topic.name());
        }
    }

    @Test
    void abortedTransactionsStayInvisibleToReadCommittedConsumers() {
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                KafkaClients.transactionalProducerProperties(config, "abort", "abort-" + UUID.randomUUID()))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(control.record("aborted", SampleRecords.cancel()));
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(control.record("committed", SampleRecords.cancel()));
            producer.commitTransaction();
        }
        List<String> keys = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(List.of(control.name()));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (keys.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(control.key(r)));
            }
            // Anything still unseen would have arrived with the committed record: same partition order not needed.
            consumer.poll(Duration.ofMillis(500)).forEach(r -> keys.add(control.key(r)));
        }
        assertEquals(List.of("committed"), keys);
    }

    @Test
    void oldSchemaRecordIsReadByTheCurrentReaderWithDefaults() {
        Topic<GenerationRequest> requests = topics.topic(Topics.REQUESTS);
        GenericRecord old = OldWriters.minimalRequest("req-old", "a green triangle moving down on a striped background", 9L);
        byte[] value = new ConfluentAvroSerializer<GenericRecord>(topics.schemaRegistry(), false).serialize(requests.name(), old);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                KafkaClients.producerProperties(config, "old-client"))) {
            producer.send(new ProducerRecord<>(requests.name(), requests.keySerde().serializer().serialize(requests.name(),
                    "req-old"), value));
        }
        GenerationRequest read = requests.value(consumeAll(1).get(requests.name()));
        assertEquals("req-old", read.getRequestId());
        assertEquals(9L, read.getSeed());
        assertEquals("", read.getNegativePrompt());
        assertNull(read.getGuidanceScale());
        assertEquals(0, read.getPriority());
        assertEquals(Map.of(), read.getClientMetadata());
    }

    @SuppressWarnings("unchecked")
    private <V extends SpecificRecord> ProducerRecord<byte[], byte[]> record(TopicDef<V> def, SpecificRecord value) {
        return topics.topic(def).record(SampleRecords.REQUEST_ID, (V) value);
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        return KafkaClients.bytesConsumer(KafkaClients.consumerProperties(config, "round-trip-" + UUID.randomUUID(), "test"));
    }

    private Map<String, ConsumerRecord<byte[], byte[]>> consumeAll(int expected) {
        Map<String, ConsumerRecord<byte[], byte[]>> byTopic = new HashMap<>();
        Set<String> names = new HashSet<>();
        topics.all().forEach(t -> names.add(t.name()));
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            consumer.subscribe(names);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (byTopic.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> byTopic.put(r.topic(), r));
            }
        }
        assertEquals(expected, byTopic.size(), "records received: " + byTopic.keySet());
        return byTopic;
    }
}
