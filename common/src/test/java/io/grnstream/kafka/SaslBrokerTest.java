package io.grnstream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grnstream.avro.ControlCommand;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.embedded.EmbeddedKafkaBroker;
import io.grnstream.registry.SchemaRegistries;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The stages' Kafka clients over SASL/PLAIN, configured only through kafka.* settings. */
class SaslBrokerTest {
    private static EmbeddedKafkaBroker broker;

    @BeforeAll
    static void start() {
        broker = EmbeddedKafkaBroker.builder().saslPlainUsers(Map.of("grn", "grn-secret")).build().start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static GrnConfig config(String password) {
        return ConfigLoader.fromMap(CommonSettings.definition("sasl-test"), Map.of(
                "bootstrap.servers", broker.saslBootstrapServers(),
                "topic.prefix", "sasl-" + UUID.randomUUID().toString().substring(0, 6) + ".",
                "topic.partitions", "1",
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "kafka.security.protocol", "SASL_PLAINTEXT",
                "kafka.sasl.mechanism", "PLAIN",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required "
                        + "username=\"grn\" password=\"" + password + "\";",
                "kafka.request.timeout.ms", "10000",
                "kafka.default.api.timeout.ms", "10000"));
    }

    @Test
    void authenticatedClientsProvisionAndRoundTripRecords() {
        GrnConfig config = config("grn-secret");
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            assertEquals(Topics.all().size(), TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30)).size());
        }
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "sasl"))) {
            producer.send(control.record(SampleRecords.REQUEST_ID, SampleRecords.cancel()));
        }
        List<ControlCommand> read = TopicReader.readUntil(config, topics, Topics.CONTROL, l -> !l.isEmpty(), Duration.ofSeconds(30));
        assertEquals(List.of(SampleRecords.cancel()), read);
    }

    @Test
    void aWrongPasswordIsRefused() {
        GrnConfig config = config("wrong");
        try (Admin admin = KafkaClients.admin(config)) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> admin.listTopics().names().get(30, TimeUnit.SECONDS));
            assertInstanceOf(SaslAuthenticationException.class, e.getCause());
        }
    }

    @Test
    void printedConfigurationHidesTheCredentials() {
        String printed = config("grn-secret").toString();
        assertFalse(printed.contains("grn-secret"), printed);
    }
}
