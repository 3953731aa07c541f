package io.grnstream.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grnstream.stage.Stage;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * The operational HTTP endpoints of a process: {@code /metrics} (Prometheus text format),
 * {@code /health/live} (the process answers), {@code /health/ready} (every registered stage is
 * ready; 503 with the names of those that are not) and {@code POST /drain} (stop taking work; GET
 * is accepted for Kubernetes preStop hooks).
 */
public final class OpsServer implements AutoCloseable {
    private final PrometheusMeterRegistry registry;
    private final List<Stage> stages = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    public OpsServer(int port, PrometheusMeterRegistry registry) {
        this.registry = registry;
        try {
            server = HttpServers.create(port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + port + " for metrics and health", e);
        }
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health/live", ex -> {
            List<String> failed = stages.stream().filter(s -> !s.isLive()).map(Stage::name).toList();
            if (failed.isEmpty()) {
                respond(ex, 200, "text/plain", "live\n");
            } else {
                respond(ex, 503, "text/plain", "failed: " + failed + "\n");
            }
        });
        server.createContext("/health/ready", ex -> {
            List<String> notReady = stages.stream().filter(s -> !s.isReady()).map(Stage::name).toList();
            if (notReady.isEmpty() && !stages.isEmpty()) {
                respond(ex, 200, "text/plain", "ready\n");
            } else {
                respond(ex, 503, "text/plain", "not ready: " + (stages.isEmpty() ? "no stage started" : notReady) + "\n");
            }
        });
        server.createContext("/drain", ex -> {
            // GET too: a Kubernetes preStop httpGet hook can only send GET.
            if (!"POST".equals(ex.getRequestMethod()) && !"GET".equals(ex.getRequestMethod())) {
                respond(ex, 405, "text/plain", "POST or GET to drain\n");
                return;
            }
            stages.forEach(Stage::drain);
            respond(ex, 202, "text/plain", "draining\n");
        });
        server.start();
    }

    public static PrometheusMeterRegistry newRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    public void register(Stage stage) {
        stages.add(stage);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
