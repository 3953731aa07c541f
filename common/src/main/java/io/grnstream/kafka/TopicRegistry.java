package io.grnstream.kafka;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.serde.ConfluentAvroSerde;
import io.grnstream.registry.SchemaRegistryClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;

/** Binds each {@link TopicDef} to its configured name and serdes; the one place clients get topics from. */
public final class TopicRegistry {
    private final String prefix;
    private final SchemaRegistryClient schemaRegistry;
    private final Map<TopicDef<?>, Topic<?>> topics = new ConcurrentHashMap<>();

    public TopicRegistry(GrnConfig config, SchemaRegistryClient schemaRegistry) {
        this.prefix = config.get(CommonSettings.TOPIC_PREFIX);
        this.schemaRegistry = schemaRegistry;
    }

    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> Topic<V> topic(TopicDef<V> definition) {
        return (Topic<V>) topics.computeIfAbsent(definition, d -> new Topic<>(prefix + definition.suffix(), definition,
                Serdes.String(), new ConfluentAvroSerde<>(schemaRegistry, definition.valueType())));
    }

    public List<Topic<?>> all() {
        return Topics.all().stream().<Topic<?>>map(this::topic).toList();
    }

    public SchemaRegistryClient schemaRegistry() {
        return schemaRegistry;
    }
}
