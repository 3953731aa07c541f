package io.grnstream.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The S3 store against a stub speaking the S3 REST subset it uses (PUT, GET, DELETE object,
 * ListObjectsV2). The stub recomputes every request's signature from the request as received and
 * answers 403 on a mismatch, as S3 does.
 */
class S3BlobStoreTest {
    private static final String ACCESS = "AKIDEXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private final Map<String, byte[]> objects = new ConcurrentSkipListMap<>();
    private HttpServer server;
    private String endpoint;
    private int rejected;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        endpoint = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String rawPath = ex.getRequestURI().getRawPath();
        Map<String, String> query = new TreeMap<>();
        String rawQuery = ex.getRequestURI().getRawQuery();
        if (rawQuery != null) {
            for (String kv : rawQuery.split("&")) {
                String[] p = kv.split("=", 2);
                query.put(URLDecoder.decode(p[0], StandardCharsets.UTF_8), p.length > 1 ? URLDecoder.decode(p[1], StandardCharsets.UTF_8) : "");
            }
        }
        byte[] body = ex.getRequestBody().readAllBytes();
        String payload = ex.getRequestHeaders().getFirst("x-amz-content-sha256");
        String date = ex.getRequestHeaders().getFirst("x-amz-date");
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", ex.getRequestHeaders().getFirst("Host"));
        signed.put("x-amz-content-sha256", payload);
        signed.put("x-amz-date", date);
        String expected = new SigV4(ACCESS, SECRET, "eu-west-1").authorization(ex.getRequestMethod(), rawPath, query,
                signed, payload, date);
        if (!expected.equals(ex.getRequestHeaders().getFirst("Authorization"))
                || !payload.equals(SigV4.hex(SigV4.sha256(body)))) {
            rejected++;
            reply(ex, 403, "<Error><Code>SignatureDoesNotMatch</Code></Error>".getBytes());
            return;
        }
        String key = URLDecoder.decode(rawPath, StandardCharsets.UTF_8).replaceFirst("^/bucket/?", "");
        switch (ex.getRequestMethod()) {
            case "PUT" -> {
                objects.put(key, body);
                reply(ex, 200, new byte[0]);
            }
            case "GET" -> {
                if (key.isEmpty() && "2".equals(query.get("list-type"))) {
                    StringBuilder xml = new StringBuilder("<ListBucketResult>");
                    objects.keySet().stream().filter(k -> k.startsWith(query.getOrDefault("prefix", "")))
                            .forEach(k -> xml.append("<Contents><Key>").append(k).append("</Key></Contents>"));
                    reply(ex, 200, xml.append("</ListBucketResult>").toString().getBytes(StandardCharsets.UTF_8));
                } else if (objects.containsKey(key)) {
                    reply(ex, 200, objects.get(key));
                } else {
                    reply(ex, 404, "<Error><Code>NoSuchKey</Code></Error>".getBytes());
                }
            }
            case "DELETE" -> {
                objects.remove(key);
                reply(ex, 204, null);
            }
            default -> reply(ex, 405, new byte[0]);
        }
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        ex.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    private BlobStore store(String secret) {
        return BlobStores.fromConfig(ConfigLoader.fromMap(CommonSettings.definition("test"), Map.of(
                "blob.store.uri", "s3://bucket/grn",
                "blob.s3.endpoint", endpoint,
                "blob.s3.region", "eu-west-1",
                "blob.s3.access.key", ACCESS,
                "blob.s3.secret.key", secret)));
    }

    @Test
    void storesReadsAndDeletesUnderTheRequestsPrefix() throws IOException {
        BlobStore s3 = store(SECRET);
        assertInstanceOf(S3BlobStore.class, s3);
        byte[] frames = "frames of r 1".getBytes(StandardCharsets.UTF_8);
        BlobStore.BlobRef ref = s3.put(BlobKeys.frames("r-1", 1, 4), frames);
        assertEquals("s3://bucket/grn/r-1/frames/1-4", ref.uri());
        assertEquals(frames.length, ref.sizeBytes());
        assertEquals(SigV4.hex(SigV4.sha256(frames)), ref.sha256());
        s3.put(BlobKeys.video("r-1"), new byte[] {1, 2, 3});
        s3.put(BlobKeys.frames("r-2", 0, 0), new byte[] {9});
        assertArrayEquals(frames, s3.read(ref.uri()));

        s3.deletePrefix("r-1/frames");
        assertEquals(java.util.Set.of("grn/r-1/video.mp4", "grn/r-2/frames/0-0"), objects.keySet());
        assertThrows(NoSuchFileException.class, () -> s3.read(ref.uri()));
        assertEquals(0, rejected, "every request was correctly signed");
    }

    @Test
    void aWrongSecretIsRefusedLoudly() {
        IOException e = assertThrows(IOException.class, () -> store("wrong").put("r-3/video.mp4", new byte[] {1}));
        assertTrue(e.getMessage().contains("403"), e.getMessage());
    }

    @Test
    void blobsOfAnotherBucketAreNotRead() {
        assertThrows(IOException.class, () -> store(SECRET).read("s3://other/grn/r-1/video.mp4"));
    }
}
