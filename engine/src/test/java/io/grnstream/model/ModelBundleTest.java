package io.grnstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.geometry.VideoGeometry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @Test
    void theCommittedBundleLoadsWithItsGeometry() {
        ModelBundle bundle = ModelBundle.load(BundleFixtures.BUNDLE);
        assertEquals("grn-tiny-shapes", bundle.id());
        assertEquals(64, bundle.sha256().length());
        VideoGeometry g = bundle.defaultGeometry();
        assertEquals(bundle.tokens(), g.tokens());
        assertEquals(bundle.bitsPerToken(), bundle.hbqRounds() * bundle.channels());
        assertEquals(g, bundle.geometryRules().resolve(null, null, null, null, null));
    }

    private static Path copy(Path to) throws IOException {
        try (Stream<Path> files = Files.walk(BundleFixtures.BUNDLE)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(BundleFixtures.BUNDLE.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        return to;
    }

    @Test
    void anAlteredFileIsRefusedByName(@TempDir Path dir) throws IOException {
        Path bundle = copy(dir.resolve("b"));
        Files.writeString(bundle.resolve("tokenizer.json"), " ", java.nio.file.StandardOpenOption.APPEND);
        ModelBundleException e = assertThrows(ModelBundleException.class, () -> ModelBundle.load(bundle));
        assertTrue(e.getMessage().contains("tokenizer.json is altered"), e.getMessage());
    }

    @Test
    void aMissingFileIsRefusedByName(@TempDir Path dir) throws IOException {
        Path bundle = copy(dir.resolve("b"));
        Files.delete(bundle.resolve("refiner_step.onnx"));
        ModelBundleException e = assertThrows(ModelBundleException.class, () -> ModelBundle.load(bundle));
        assertTrue(e.getMessage().contains("refiner_step.onnx is missing"), e.getMessage());
    }

    @Test
    void aDirectoryWithoutManifestIsRefused(@TempDir Path dir) {
        assertThrows(ModelBundleException.class, () -> ModelBundle.load(dir));
    }
}
