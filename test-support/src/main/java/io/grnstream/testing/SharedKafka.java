package io.grnstream.testing;

import java.util.UUID;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit extension giving every test class in a JVM the same broker, started once and stopped when
 * the test run ends. Tests isolate themselves with {@link #uniqueTopicPrefix()}.
 * <pre>{@code @RegisterExtension static final SharedKafka KAFKA = new SharedKafka();}</pre>
 */
public final class SharedKafka implements BeforeAllCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedKafka.class);
    private KafkaTestCluster cluster;

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent("cluster", k -> new ClosingHolder(KafkaTestCluster.start()), ClosingHolder.class)
                .cluster();
    }

    public String bootstrapServers() {
        if (cluster == null) {
            throw new IllegalStateException("SharedKafka is used before the test class started");
        }
        return cluster.bootstrapServers();
    }

    /** A topic prefix no other test uses, e.g. {@code t3f9a1c2.} */
    public static String uniqueTopicPrefix() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".";
    }

    private record ClosingHolder(KafkaTestCluster cluster) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            cluster.close();
        }
    }
}
