package io.grnstream.blob;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph RGW), path-style, signed with
 * Signature V4. URIs are {@code s3://bucket/prefix/key}; a PUT is complete and durable when S3
 * answers it, so references are published only after the bytes are stored.
 */
public final class S3BlobStore implements BlobStore {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");
    private static final Pattern KEY = Pattern.compile("<Key>([^<]*)</Key>");
    private static final Pattern NEXT = Pattern.compile("<NextContinuationToken>([^<]*)</NextContinuationToken>");

    private final URI endpoint;
    private final String bucket;
    private final String prefix;
    private final SigV4 signer;
    private final HttpClient http;
    private final Duration timeout;

    /**
     * @param location s3://bucket[/prefix]
     * @param endpoint http(s)://host:port of the store
     */
    public S3BlobStore(String location, String endpoint, String region, String accessKey, String secretKey,
                       Duration timeout) {
        URI uri = URI.create(location);
        if (!"s3".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("an S3 location is s3://bucket[/prefix], not " + location);
        }
        this.bucket = uri.getHost();
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
        this.prefix = path.isEmpty() ? "" : path + "/";
        this.endpoint = URI.create(endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint);
        this.signer = new SigV4(accessKey, secretKey, region);
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public BlobRef put(String key, byte[] bytes) throws IOException {
        String objectKey = prefix + key;
        HttpResponse<byte[]> response = send("PUT", objectKey, Map.of(), bytes);
        expectOk(response, "PUT " + objectKey);
        return new BlobRef("s3://" + bucket + "/" + objectKey, bytes.length, SigV4.hex(SigV4.sha256(bytes)));
    }

    @Override
    public BlobRef put(String key, Path file) throws IOException {
        return put(key, Files.readAllBytes(file));
    }

    @Override
    public InputStream open(String uri) throws IOException {
        URI u = URI.create(uri);
        if (!"s3".equals(u.getScheme()) || !bucket.equals(u.getHost())) {
            throw new IOException("blob " + uri + " is not in bucket " + bucket);
        }
        String objectKey = u.getPath().substring(1);
        HttpResponse<byte[]> response = send("GET", objectKey, Map.of(), null);
        if (response.statusCode() == 404) {
            throw new NoSuchFileException(uri);
        }
        expectOk(response, "GET " + objectKey);
        return new ByteArrayInputStream(response.body());
    }

    @Override
    public void deletePrefix(String keyPrefix) throws IOException {
        String continuation = null;
        do {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("list-type", "2");
            query.put("prefix", prefix + keyPrefix);
            if (continuation != null) {
                query.put("continuation-token", continuation);
            }
            HttpResponse<byte[]> listing = send("GET", "", query, null);
            expectOk(listing, "LIST " + prefix + keyPrefix);
            String xml = new String(listing.body(), StandardCharsets.UTF_8);
            List<String> keys = new ArrayList<>();
            Matcher m = KEY.matcher(xml);
            while (m.find()) {
                keys.add(m.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"));
            }
            for (String objectKey : keys) {
                HttpResponse<byte[]> deleted = send("DELETE", objectKey, Map.of(), null);
                if (deleted.statusCode() != 204 && deleted.statusCode() != 200 && deleted.statusCode() != 404) {
                    expectOk(deleted, "DELETE " + objectKey);
                }
            }
            Matcher next = NEXT.matcher(xml);
            continuation = next.find() ? next.group(1) : null;
        } while (continuation != null);
    }

    private HttpResponse<byte[]> send(String method, String objectKey, Map<String, String> query, byte[] body)
            throws IOException {
        String path = "/" + SigV4.encode(bucket, true) + (objectKey.isEmpty() ? "" : "/" + SigV4.encode(objectKey, false));
        String payloadHash = body == null ? SigV4.EMPTY_SHA256 : SigV4.hex(SigV4.sha256(body));
        String amzDate = ZonedDateTime.now(ZoneOffset.UTC).format(AMZ_DATE);
        String host = endpoint.getPort() < 0 ? endpoint.getHost() : endpoint.getHost() + ":" + endpoint.getPort();
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", host);
        signed.put("x-amz-content-sha256", payloadHash);
        signed.put("x-amz-date", amzDate);
        StringBuilder url = new StringBuilder(endpoint.toString()).append(path);
        if (!query.isEmpty()) {
            url.append('?');
            query.forEach((k, v) -> url.append(SigV4.encode(k, true)).append('=').append(SigV4.encode(v, true)).append('&'));
            url.setLength(url.length() - 1);
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString())).timeout(timeout)
                .header("x-amz-content-sha256", payloadHash)
                .header("x-amz-date", amzDate)
                .header("Authorization", signer.authorization(method, path, query, signed, payloadHash, amzDate))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted talking to " + endpoint, e);
        }
    }

    private static void expectOk(HttpResponse<byte[]> response, String what) throws IOException {
        if (response.statusCode() / 100 != 2) {
            throw new IOException(what + " answered HTTP " + response.statusCode() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8));
        }
    }
}
