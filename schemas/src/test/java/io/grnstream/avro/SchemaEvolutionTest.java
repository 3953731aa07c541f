package io.grnstream.avro;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Topic values stay BACKWARD_TRANSITIVE compatible: the current schema reads data written with
 * every version ever released, recorded under src/test/resources/schema-history/NAME/vN.avsc.
 * Changing a schema fails {@link #newestRecordedVersionIsTheCurrentSchema} until the new version
 * is recorded with {@code mvn -pl schemas test -Dgrn.schemas.record=true}.
 */
class SchemaEvolutionTest {
    private static final Path HISTORY = Path.of("src", "test", "resources", "schema-history");

    static Stream<Schema> topicValueSchemas() {
        return Stream.of(GenerationRequest.getClassSchema(), LatentVideo.getClassSchema(), FrameChunk.getClassSchema(),
                VideoReady.getClassSchema(), RequestEvent.getClassSchema(), ControlCommand.getClassSchema(),
                DeadLetter.getClassSchema());
    }

    private static List<Path> versions(Schema schema) throws IOException {
        Path dir = HISTORY.resolve(schema.getName());
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("v\\d+\\.avsc"))
                    .sorted(Comparator.comparingInt(SchemaEvolutionTest::versionNumber)).toList();
        }
    }

    private static int versionNumber(Path p) {
        String name = p.getFileName().toString();
        return Integer.parseInt(name.substring(1, name.length() - ".avsc".length()));
    }

    private static Schema parse(Path file) throws IOException {
        return new Schema.Parser().parse(Files.readString(file));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topicValueSchemas")
    void currentSchemaReadsEveryRecordedVersion(Schema current) throws IOException {
        List<Path> versions = versions(current);
        assertFalse(versions.isEmpty(), "no recorded versions of " + current.getName());
        for (Path version : versions) {
            SchemaCompatibility.SchemaPairCompatibility result =
                    SchemaCompatibility.checkReaderWriterCompatibility(current, parse(version));
            assertEquals(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE, result.getType(),
                    current.getName() + " cannot read data written with " + version + ": " + result.getDescription());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topicValueSchemas")
    void everyFieldAddedAfterTheFirstVersionHasADefault(Schema current) throws IOException {
        List<Path> versions = versions(current);
        if (versions.isEmpty()) {
            return; // reported by currentSchemaReadsEveryRecordedVersion
        }
        Schema first = parse(versions.get(0));
        List<String> missingDefaults = new ArrayList<>();
        for (Schema.Field field : current.getFields()) {
            if (first.getField(field.name()) == null && !field.hasDefaultValue()) {
                missingDefaults.add(field.name());
            }
        }
        assertTrue(missingDefaults.isEmpty(), current.getName() + " fields added without a default: " + missingDefaults);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("topicValueSchemas")
    void newestRecordedVersionIsTheCurrentSchema(Schema current) throws IOException {
        List<Path> versions = versions(current);
        if (!versions.isEmpty() && parse(versions.get(versions.size() - 1)).equals(current)) {
            return;
        }
        if (Boolean.getBoolean("grn.schemas.record")) {
            Path next = HISTORY.resolve(current.getName()).resolve("v" + (versions.size() + 1) + ".avsc");
            Files.createDirectories(next.getParent());
            Files.writeString(next, current.toString(true) + "\n");
            return;
        }
        fail(current.getName() + " changed since its newest recorded version; if the change is intended, record it"
                + " with: mvn -pl schemas test -Dgrn.schemas.record=true");
    }
}
