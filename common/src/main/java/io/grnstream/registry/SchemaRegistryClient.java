package io.grnstream.registry;

import org.apache.avro.Schema;

/**
 * The two calls the Confluent wire format needs: register a writer schema under a subject (getting
 * its global id), and look a schema up by id. Implementations cache and are thread-safe.
 */
public interface SchemaRegistryClient extends AutoCloseable {

    /** Registers (or finds) the schema under the subject and returns its id; identical schemas share an id. */
    int register(String subject, Schema schema);

    /** The schema with this id; {@link SchemaRegistryException} if there is none. */
    Schema schemaById(int id);

    @Override
    default void close() {
    }
}
