package io.grnstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.apache.avro.Schema;

/**
 * Test fixture: the two Confluent REST calls our client uses, served over loopback HTTP from an
 * {@link InMemorySchemaRegistry}, so that several JVMs (child-process stages) share one registry.
 */
public final class RegistryHttpStub implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final InMemorySchemaRegistry backing;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    private RegistryHttpStub(InMemorySchemaRegistry backing) {
        this.backing = backing;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "registry-stub");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Starts a stub on a free loopback port. */
    public static RegistryHttpStub start(InMemorySchemaRegistry backing) {
        return new RegistryHttpStub(backing);
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The Authorization header of every call, in order ("null" where none was sent). */
    public List<String> authorizations() {
        return authorizations;
    }

    private void handle(HttpExchange exchange) throws IOException {
        authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
        String path = exchange.getRequestURI().getRawPath();
        int status = 200;
        Object answer;
        try {
            if (exchange.getRequestMethod().equals("POST") && path.matches("/subjects/[^/]+/versions")) {
                String subject = URLDecoder.decode(path.split("/")[2], StandardCharsets.UTF_8);
                JsonNode body = JSON.readTree(exchange.getRequestBody());
                answer = Map.of("id", backing.register(subject, new Schema.Parser().parse(body.get("schema").asText())));
            } else if (exchange.getRequestMethod().equals("GET") && path.matches("/schemas/ids/\\d+")) {
                answer = Map.of("schema", backing.schemaById(Integer.parseInt(path.split("/")[3])).toString());
            } else {
                status = 404;
                answer = Map.of("error_code", 404, "message", "no route " + path);
            }
        } catch (IncompatibleSchemaException e) {
            status = 409;
            answer = Map.of("error_code", 409, "message", e.getMessage());
        } catch (SchemaRegistryException e) {
            status = 404;
            answer = Map.of("error_code", 40403, "message", e.getMessage());
        }
        byte[] bytes = JSON.writeValueAsBytes(answer);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
