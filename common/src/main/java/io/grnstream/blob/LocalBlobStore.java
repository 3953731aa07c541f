package io.grnstream.blob;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Blobs as files under a root directory ({@code file://} URIs). Each write goes to a temporary
 * file that is fsynced and atomically renamed into place, so a reader never sees half a blob and
 * a crash leaves either the old or the new content.
 */
public final class LocalBlobStore implements BlobStore {
    private final Path root;

    public LocalBlobStore(Path root) throws IOException {
        this.root = Files.createDirectories(root).toRealPath();
    }

    public Path root() {
        return root;
    }

    @Override
    public BlobRef put(String key, byte[] bytes) throws IOException {
        return write(key, out -> out.write(bytes));
    }

    @Override
    public BlobRef put(String key, Path file) throws IOException {
        return write(key, out -> Files.copy(file, out));
    }

    private interface Writer {
        void writeTo(OutputStream out) throws IOException;
    }

    private BlobRef write(String key, Writer writer) throws IOException {
        Path target = resolve(key);
        Files.createDirectories(target.getParent());
        Path temp = Files.createTempFile(target.getParent(), ".incoming-", ".tmp");
        MessageDigest sha = sha256();
        long size;
        try {
            try (OutputStream file = Files.newOutputStream(temp, StandardOpenOption.WRITE);
                 DigestOutputStream out = new DigestOutputStream(file, sha)) {
                writer.writeTo(out);
            }
            size = Files.size(temp);
            try (var channel = java.nio.channels.FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return new BlobRef(target.toUri().toString(), size, HexFormat.of().formatHex(sha.digest()));
    }

    @Override
    public InputStream open(String uri) throws IOException {
        Path path = Path.of(URI.create(uri)).normalize();
        if (!path.startsWith(root)) {
            throw new IOException("blob " + uri + " is outside the store at " + root);
        }
        return Files.newInputStream(path);
    }

    @Override
    public void deletePrefix(String keyPrefix) throws IOException {
        Path start = resolve(keyPrefix);
        if (!Files.exists(start)) {
            return;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private Path resolve(String key) throws IOException {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IOException("blob key '" + key + "' escapes the store");
        }
        return path;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }
}
