package io.grnstream.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grnstream.geometry.GeometryRules;
import io.grnstream.geometry.VideoGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A model bundle directory (DESIGN.md section 3): {@code manifest.json}, the ONNX files and the
 * tokenizer. Loading verifies the sha256 of every file the manifest lists, so a bundle whose files
 * are missing or altered is refused before anything runs. The manifest's own sha256 identifies the
 * bundle in provenance.
 */
public final class ModelBundle {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path directory;
    private final JsonNode manifest;
    private final String sha256;

    private ModelBundle(Path directory, JsonNode manifest, String sha256) {
        this.directory = directory;
        this.manifest = manifest;
        this.sha256 = sha256;
    }

    public static ModelBundle load(Path directory) {
        Path manifestFile = directory.resolve("manifest.json");
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestFile.toFile());
        } catch (IOException e) {
            throw new ModelBundleException("cannot read " + manifestFile + ": " + e.getMessage(), e);
        }
        JsonNode files = manifest.path("files");
        if (!files.isObject() || files.isEmpty()) {
            throw new ModelBundleException(manifestFile + " lists no files with their sha256");
        }
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = files.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            Path file = directory.resolve(entry.getKey()).normalize();
            if (!file.startsWith(directory.normalize())) {
                problems.add(entry.getKey() + " points outside the bundle");
                continue;
            }
            String expected = entry.getValue().path("sha256").asText("");
            try {
                String actual = sha256(file);
                if (!actual.equalsIgnoreCase(expected)) {
                    problems.add(entry.getKey() + " is altered (sha256 " + actual + ", manifest says " + expected + ")");
                }
            } catch (NoSuchFileException e) {
                problems.add(entry.getKey() + " is missing");
            } catch (IOException e) {
                problems.add(entry.getKey() + " cannot be read: " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelBundleException("model bundle " + directory + " refused: " + String.join("; ", problems));
        }
        try {
            return new ModelBundle(directory, manifest, sha256(manifestFile));
        } catch (IOException e) {
            throw new ModelBundleException("cannot hash " + manifestFile, e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public String id() {
        return manifest.path("id").asText();
    }

    public String version() {
        return manifest.path("version").asText();
    }

    /** sha256 of manifest.json, which pins every other file's hash. */
    public String sha256() {
        return sha256;
    }

    public Path directory() {
        return directory;
    }

    public Path file(String role) {
        JsonNode node = manifest.path("onnx").path(role).path("file");
        if (node.isMissingNode()) {
            throw new ModelBundleException("bundle " + id() + " has no " + role + " network");
        }
        return directory.resolve(node.asText());
    }

    public Path tokenizerFile() {
        return directory.resolve(manifest.path("tokenizer").path("file").asText("tokenizer.json"));
    }

    public int textMaxLength() {
        return manifest.path("tokenizer").path("max_length").asInt();
    }

    public int padId() {
        return manifest.path("tokenizer").path("pad_id").asInt(0);
    }

    public int hbqRounds() {
        return manifest.path("hbq").path("rounds").asInt();
    }

    public int bitsPerToken() {
        return manifest.path("hbq").path("bits_per_token").asInt();
    }

    public int channels() {
        return manifest.path("latent").path("channels").asInt();
    }

    /** The refiner's token count N (a fixed-size model generates exactly one geometry). */
    public int tokens() {
        return manifest.path("hbq").path("tokens").asInt();
    }

    public VideoGeometry defaultGeometry() {
        JsonNode latent = manifest.path("latent");
        JsonNode grid = latent.path("latent_grid");
        JsonNode video = manifest.path("video");
        return new VideoGeometry(video.path("frames").asInt(), video.path("fps").asInt(), grid.get(0).asInt(),
                grid.get(1).asInt(), grid.get(2).asInt(), channels(), latent.path("spatial_stride").asInt(),
                latent.path("temporal_stride").asInt());
    }

    /** Geometry rules of this bundle: its one frame count and size, at its own fps by default. */
    public GeometryRules geometryRules() {
        VideoGeometry g = defaultGeometry();
        String preset = g.pixelWidth() + "px";
        return new GeometryRules(g.channels(), g.spatialStride(), g.temporalStride(), g.frames(), g.fps(), 60,
                g.frames() / (double) g.fps(), Map.of(preset, g.latentWidth()), preset,
                List.of((double) g.latentHeight() / g.latentWidth()), (double) g.latentHeight() / g.latentWidth());
    }

    public SamplerDefaults samplerDefaults() {
        JsonNode s = manifest.path("sampler");
        JsonNode e = s.path("entropy");
        return new SamplerDefaults(s.path("guidance_scale").asDouble(3.0), s.path("temperature").asDouble(1.0),
                s.path("mode").asText("fixed"), s.path("fixed_steps").asInt(50), e.path("wp").asInt(5),
                e.path("k").asDouble(0.0), e.path("b").asDouble(50.0), e.path("Tmin").asInt(10), e.path("Tmax").asInt(50));
    }

    public JsonNode manifest() {
        return manifest;
    }
}
