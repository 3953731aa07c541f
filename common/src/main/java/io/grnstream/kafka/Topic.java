package io.grnstream.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.avro.specific.SpecificRecord;

/**
 * A concrete topic: its full name and the serdes of its keys (the requestId, UTF-8) and values.
 * Producers that write several topics in one transaction use byte-array clients and
 * {@link #record}; consumers that must dead-letter undecodable bytes use {@link #value}.
 */
public record Topic<V extends SpecificRecord>(String name, TopicDef<V> definition, Serde<String> keySerde,
                                              Serde<V> valueSerde) {

    public ProducerRecord<byte[], byte[]> record(String key, V value) {
        return new ProducerRecord<>(name, keySerde.serializer().serialize(name, key),
                valueSerde.serializer().serialize(name, value));
    }

    public String key(ConsumerRecord<byte[], byte[]> record) {
        return keySerde.deserializer().deserialize(name, record.key());
    }

    /** Decodes a value; throws {@link io.grnstream.kafka.serde.UndecodableRecordException} for bad bytes. */
    public V value(ConsumerRecord<byte[], byte[]> record) {
        return valueSerde.deserializer().deserialize(name, record.value());
    }

    public V value(byte[] bytes) {
        return valueSerde.deserializer().deserialize(name, bytes);
    }
}
