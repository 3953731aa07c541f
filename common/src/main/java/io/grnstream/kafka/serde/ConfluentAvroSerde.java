package io.grnstream.kafka.serde;

import io.grnstream.registry.SchemaRegistryClient;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Serializer and deserializer of one generated record type, for clients and Kafka Streams. */
public final class ConfluentAvroSerde<T extends org.apache.avro.specific.SpecificRecord> implements Serde<T> {
    private final ConfluentAvroSerializer<T> serializer;
    private final ConfluentAvroDeserializer<T> deserializer;

    public ConfluentAvroSerde(SchemaRegistryClient registry, Class<T> type) {
        this.serializer = new ConfluentAvroSerializer<>(registry, false);
        this.deserializer = new ConfluentAvroDeserializer<>(registry, type);
    }

    @Override
    public Serializer<T> serializer() {
        return serializer;
    }

    @Override
    public Deserializer<T> deserializer() {
        return deserializer;
    }
}
