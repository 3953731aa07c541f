package io.grnstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.stage.Stage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class OpsServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(OpsServer ops, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesPrometheusMetricsLivenessAndReadinessOfItsStages() throws Exception {
        AtomicBoolean ready = new AtomicBoolean(false);
        AtomicBoolean drained = new AtomicBoolean(false);
        AtomicBoolean live = new AtomicBoolean(true);
        Stage stage = new Stage() {
            public String name() {
                return "assembler";
            }

            public void start() {
            }

            public boolean isReady() {
                return ready.get();
            }

            public boolean isLive() {
                return live.get();
            }

            public void close() {
            }

            public void drain() {
                drained.set(true);
            }
        };
        try (OpsServer ops = new OpsServer(0, OpsServer.newRegistry())) {
            ops.registry().counter("grn.test.videos").increment(3);
            assertEquals(503, get(ops, "/health/ready").statusCode(), "no stage registered yet");
            ops.register(stage);
            assertEquals(200, get(ops, "/health/live").statusCode());
            HttpResponse<String> notReady = get(ops, "/health/ready");
            assertEquals(503, notReady.statusCode());
            assertTrue(notReady.body().contains("assembler"), notReady.body());
            ready.set(true);
            assertEquals(200, get(ops, "/health/ready").statusCode());
            assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + "/drain"))
                    .DELETE().build(), HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> drain = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port()
                    + "/drain")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(202, drain.statusCode());
            assertTrue(drained.get());
            HttpResponse<String> metrics = get(ops, "/metrics");
            assertTrue(metrics.body().contains("grn_test_videos_total 3.0"), metrics.body());
            live.set(false);
            HttpResponse<String> dead = get(ops, "/health/live");
            assertEquals(503, dead.statusCode());
            assertTrue(dead.body().contains("assembler"), dead.body());
        }
    }
}
