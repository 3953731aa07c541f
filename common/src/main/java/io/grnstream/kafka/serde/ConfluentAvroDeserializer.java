package io.grnstream.kafka.serde;

import io.grnstream.registry.SchemaRegistryClient;
import io.grnstream.registry.SchemaRegistryException;
import io.grnstream.registry.SchemaRegistryUnavailableException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro into a generated class, resolving the writer's schema (fetched by
 * id) against the class's schema, so records written by older producers read with defaults.
 * Anything that is not a complete, valid record fails with {@link UndecodableRecordException}.
 */
public final class ConfluentAvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final SchemaRegistryClient registry;
    private final Schema readerSchema;
    private final Map<Integer, SpecificDatumReader<T>> readersByWriterId = new ConcurrentHashMap<>();

    public ConfluentAvroDeserializer(SchemaRegistryClient registry, Class<T> type) {
        AvroTrust.install();
        this.registry = registry;
        this.readerSchema = SpecificData.get().getSchema(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        int id = ConfluentWireFormat.schemaId(data);
        SpecificDatumReader<T> reader = readersByWriterId.computeIfAbsent(id, this::readerFor);
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, ConfluentWireFormat.HEADER_LENGTH,
                data.length - ConfluentWireFormat.HEADER_LENGTH, null);
        T value;
        try {
            value = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new UndecodableRecordException("trailing bytes after a " + readerSchema.getName()
                        + " record on " + topic + " (schema id " + id + ")");
            }
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException
                 | ClassCastException | IllegalArgumentException e) {
            throw new UndecodableRecordException("cannot decode a " + readerSchema.getName() + " on " + topic
                    + " (schema id " + id + ", " + data.length + " bytes): " + e, e);
        }
        return value;
    }

    private SpecificDatumReader<T> readerFor(int id) {
        Schema writer;
        try {
            writer = registry.schemaById(id);
        } catch (SchemaRegistryUnavailableException e) {
            throw e; // transient: the caller retries
        } catch (SchemaRegistryException e) {
            throw new UndecodableRecordException("schema id " + id + " is unknown to the registry", e);
        }
        SchemaCompatibility.SchemaPairCompatibility compatibility =
                SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
        if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
            throw new UndecodableRecordException("writer schema id " + id + " (" + writer.getFullName()
                    + ") cannot be read as " + readerSchema.getFullName() + ": " + compatibility.getDescription());
        }
        return new SpecificDatumReader<>(writer, readerSchema, SpecificData.get());
    }
}
