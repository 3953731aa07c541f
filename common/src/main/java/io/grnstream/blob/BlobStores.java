package io.grnstream.blob;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigException;
import io.grnstream.config.GrnConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;

/** Opens the blob store a configuration names. */
public final class BlobStores {
    private BlobStores() {
    }

    public static BlobStore fromConfig(GrnConfig config) {
        String location = config.get(CommonSettings.BLOB_STORE_URI);
        try {
            if (location.startsWith("file:")) {
                return new LocalBlobStore(Path.of(URI.create(location)));
            }
            if (location.startsWith("s3://")) {
                return new S3BlobStore(location, config.get(CommonSettings.BLOB_S3_ENDPOINT),
                        config.get(CommonSettings.BLOB_S3_REGION), config.get(CommonSettings.BLOB_S3_ACCESS_KEY),
                        config.get(CommonSettings.BLOB_S3_SECRET_KEY), config.get(CommonSettings.SCHEMA_REGISTRY_TIMEOUT));
            }
            if (location.contains("://")) {
                throw new ConfigException(CommonSettings.BLOB_STORE_URI.key(), "unsupported blob store '" + location
                        + "'; use a directory path, a file: URI or s3://bucket/prefix");
            }
            return new LocalBlobStore(Path.of(location).toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the blob store at " + location, e);
        }
    }
}
