package io.grnstream.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

/**
 * A registry held in this JVM, for the embedded default and tests (the role {@code mock://} plays
 * for Confluent's serializer). It enforces BACKWARD_TRANSITIVE compatibility per subject, as the
 * production registry is configured to, so an incompatible schema change fails here first.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    private static final Map<String, InMemorySchemaRegistry> NAMED = new ConcurrentHashMap<>();

    private final Map<String, Integer> idByCanonicalSchema = new HashMap<>();
    private final Map<Integer, Schema> schemaById = new HashMap<>();
    private final Map<String, List<Schema>> versionsBySubject = new HashMap<>();

    /** The registry shared by every client in this JVM that names it (URL {@code mem://NAME}). */
    public static InMemorySchemaRegistry named(String name) {
        return NAMED.computeIfAbsent(name, n -> new InMemorySchemaRegistry());
    }

    @Override
    public synchronized int register(String subject, Schema schema) {
        List<Schema> versions = versionsBySubject.computeIfAbsent(subject, s -> new ArrayList<>());
        String canonical = schema.toString();
        Integer existing = idByCanonicalSchema.get(canonical);
        if (existing != null && versions.stream().anyMatch(v -> v.toString().equals(canonical))) {
            return existing;
        }
        for (Schema earlier : versions) {
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(schema, earlier);
            if (result.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                throw new IncompatibleSchemaException("schema for subject '" + subject
                        + "' cannot read an earlier version: " + result.getDescription());
            }
        }
        versions.add(schema);
        int id = existing != null ? existing : idByCanonicalSchema.size() + 1;
        idByCanonicalSchema.put(canonical, id);
        schemaById.put(id, schema);
        return id;
    }

    @Override
    public synchronized Schema schemaById(int id) {
        Schema schema = schemaById.get(id);
        if (schema == null) {
            throw new SchemaRegistryException("no schema with id " + id);
        }
        return schema;
    }

    /** Schemas registered under a subject, oldest first. */
    public synchronized List<Schema> versions(String subject) {
        return List.copyOf(versionsBySubject.getOrDefault(subject, List.of()));
    }
}
