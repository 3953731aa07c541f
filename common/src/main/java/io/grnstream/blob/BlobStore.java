package io.grnstream.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Where frames and videos too big for a Kafka record live (the claim-check pattern). Keys are
 * deterministic ({@code {requestId}/...}), so a re-run writes the same bytes to the same place;
 * a write is complete and durable before its reference is published.
 */
public interface BlobStore extends AutoCloseable {

    /** Stores bytes under a key, replacing what was there; returns the reference to publish. */
    BlobRef put(String key, byte[] bytes) throws IOException;

    /** Stores a file's content under a key (large outputs are produced as files). */
    BlobRef put(String key, Path file) throws IOException;

    /** Opens a stored blob by the URI of its reference. */
    InputStream open(String uri) throws IOException;

    default byte[] read(String uri) throws IOException {
        try (InputStream in = open(uri)) {
            return in.readAllBytes();
        }
    }

    /** Removes every blob under {@code {requestId}/{prefix}}; absent ones are fine. */
    void deletePrefix(String keyPrefix) throws IOException;

    @Override
    default void close() {
    }

    /** A stored blob: where it is, how big, and its SHA-256 (hex) for integrity checks downstream. */
    record BlobRef(String uri, long sizeBytes, String sha256) {
    }
}
