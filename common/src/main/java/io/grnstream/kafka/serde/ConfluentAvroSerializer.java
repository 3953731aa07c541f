package io.grnstream.kafka.serde;

import io.grnstream.registry.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes records in the Confluent wire format, registering each writer schema under
 * {@code <topic>-value} (or {@code -key}) the first time it is seen. Works for generated
 * (specific) and generic records.
 */
public final class ConfluentAvroSerializer<T extends IndexedRecord> implements Serializer<T> {
    private final SchemaRegistryClient registry;
    private final boolean forKey;
    private final Map<SubjectSchema, Integer> ids = new ConcurrentHashMap<>();
    private final Map<Class<?>, DatumWriter<Object>> specificWriters = new ConcurrentHashMap<>();

    private record SubjectSchema(String subject, Schema schema) {
    }

    public ConfluentAvroSerializer(SchemaRegistryClient registry, boolean forKey) {
        AvroTrust.install();
        this.registry = registry;
        this.forKey = forKey;
    }

    public static String subject(String topic, boolean forKey) {
        return topic + (forKey ? "-key" : "-value");
    }

    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) {
            return null;
        }
        Schema schema = record.getSchema();
        String subject = subject(topic, forKey);
        int id = ids.computeIfAbsent(new SubjectSchema(subject, schema), k -> registry.register(subject, schema));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        ByteBuffer header = ByteBuffer.allocate(ConfluentWireFormat.HEADER_LENGTH);
        ConfluentWireFormat.writeHeader(header, id);
        bytes.writeBytes(header.array());
        try {
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(bytes, null);
            writerFor(record).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot encode " + schema.getFullName() + " for topic " + topic, e);
        }
        return bytes.toByteArray();
    }

    private DatumWriter<Object> writerFor(T record) {
        if (record instanceof SpecificRecord) {
            return specificWriters.computeIfAbsent(record.getClass(),
                    c -> new SpecificDatumWriter<>(record.getSchema(), SpecificData.getForSchema(record.getSchema())));
        }
        return new GenericDatumWriter<>(record.getSchema(), GenericData.get());
    }
}
