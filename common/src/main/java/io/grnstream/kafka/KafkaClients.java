package io.grnstream.kafka;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Client properties every stage uses: idempotent producers sized for the largest topic message,
 * read_committed consumers with manual commits on the Kafka 4 group protocol, plus whatever the
 * configuration passes through under {@code kafka.} (security settings, tuning), applied last.
 */
public final class KafkaClients {
    private KafkaClients() {
    }

    public static Map<String, Object> base(GrnConfig config) {
        Map<String, Object> props = new HashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(CommonSettings.BOOTSTRAP_SERVERS));
        return props;
    }

    public static Map<String, Object> producerProperties(GrnConfig config, String clientId) {
        Map<String, Object> props = base(config);
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.largestMessageBytes());
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        return props;
    }

    /** A producer whose outputs and consumed offsets commit atomically (one short transaction per job). */
    public static Map<String, Object> transactionalProducerProperties(GrnConfig config, String clientId,
                                                                      String transactionalId) {
        Map<String, Object> props = producerProperties(config, clientId);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        props.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        return props;
    }

    public static Map<String, Object> consumerProperties(GrnConfig config, String groupId, String clientId) {
        Map<String, Object> props = base(config);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        return props;
    }

    public static KafkaProducer<byte[], byte[]> bytesProducer(Map<String, Object> properties) {
        return new KafkaProducer<>(properties, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static KafkaConsumer<byte[], byte[]> bytesConsumer(Map<String, Object> properties) {
        return new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public static Admin admin(GrnConfig config) {
        Map<String, Object> props = base(config);
        props.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        return Admin.create(props);
    }
}
