package io.grnstream.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;

/** The committed bundle and its fixtures, as the Python export wrote them. */
public final class BundleFixtures {
    public static final Path BUNDLE = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();

    private BundleFixtures() {
    }

    public static Npy npy(String name) throws IOException {
        return Npy.read(BUNDLE.resolve("fixtures").resolve(name + ".npy"));
    }

    public static JsonNode json(String name) throws IOException {
        return new ObjectMapper().readTree(BUNDLE.resolve("fixtures").resolve(name).toFile());
    }
}
