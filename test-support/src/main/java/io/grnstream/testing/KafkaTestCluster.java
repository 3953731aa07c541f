package io.grnstream.testing;

import io.grnstream.kafka.embedded.EmbeddedKafkaBroker;
import java.util.Locale;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * A real Kafka broker for tests. By default an in-process KRaft broker; with
 * {@code GRN_TEST_BROKER=testcontainers} (environment or system property {@code grn.test.broker})
 * a Testcontainers Kafka, which needs a Docker engine and fails fast where there is none.
 */
public interface KafkaTestCluster extends AutoCloseable {
    String BROKER_PROPERTY = "grn.test.broker";
    String BROKER_ENV = "GRN_TEST_BROKER";
    String IMAGE_PROPERTY = "grn.test.kafka.image";
    String DEFAULT_IMAGE = "apache/kafka:4.1.0";

    String bootstrapServers();

    /** Human-readable kind, for test logs. */
    String kind();

    @Override
    void close();

    static KafkaTestCluster start() {
        String mode = System.getProperty(BROKER_PROPERTY, System.getenv().getOrDefault(BROKER_ENV, "embedded"))
                .toLowerCase(Locale.ROOT);
        return switch (mode) {
            case "embedded" -> embedded();
            case "testcontainers" -> testcontainers();
            default -> throw new IllegalArgumentException(BROKER_ENV + " must be 'embedded' or 'testcontainers', not '" + mode + "'");
        };
    }

    static KafkaTestCluster embedded() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().build().start();
        return new KafkaTestCluster() {
            @Override
            public String bootstrapServers() {
                return broker.bootstrapServers();
            }

            @Override
            public String kind() {
                return "in-process KRaft broker";
            }

            @Override
            public void close() {
                broker.close();
            }
        };
    }

    static KafkaTestCluster testcontainers() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(BROKER_ENV + "=testcontainers needs a Docker engine and none answers here;"
                    + " unset it to use the in-process broker");
        }
        KafkaContainer container = new KafkaContainer(DockerImageName.parse(
                System.getProperty(IMAGE_PROPERTY, DEFAULT_IMAGE)));
        container.start();
        return new KafkaTestCluster() {
            @Override
            public String bootstrapServers() {
                return container.getBootstrapServers();
            }

            @Override
            public String kind() {
                return "Testcontainers " + container.getDockerImageName();
            }

            @Override
            public void close() {
                container.stop();
            }
        };
    }
}
