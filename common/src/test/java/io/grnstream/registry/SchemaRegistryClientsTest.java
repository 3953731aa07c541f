package io.grnstream.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.kafka.SampleRecords;
import io.grnstream.kafka.serde.ConfluentAvroSerde;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client against a stub that speaks the two Confluent REST calls we use, backed by the
 * in-memory registry (so both clients' behaviour is compared on the same data).
 */
class SchemaRegistryClientsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Schema V2 = new Schema.Parser().parse("""
            {"type":"record","name":"GenerationRequest","namespace":"io.grnstream.avro","fields":[
              {"name":"requestId","type":"string"},{"name":"prompt","type":"string"},{"name":"seed","type":"long"},
              {"name":"mustHave","type":"int"}]}""");

    private final InMemorySchemaRegistry backing = new InMemorySchemaRegistry();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private String url;

    @BeforeEach
    void startStub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        url = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stopStub() {
        server.stop(0);
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

    private HttpSchemaRegistryClient client(String userInfo) {
        return new HttpSchemaRegistryClient(url, userInfo, Duration.ofSeconds(5));
    }

    @Test
    void registersAndFetchesThroughTheRestApi() {
        HttpSchemaRegistryClient client = client("");
        int id = client.register("grn.requests-value", GenerationRequest.getClassSchema());
        assertEquals(id, client.register("grn.requests-value", GenerationRequest.getClassSchema()));
        assertEquals(GenerationRequest.getClassSchema(), client("").schemaById(id));
        assertEquals(id, backing.register("grn.requests-value", GenerationRequest.getClassSchema()));
    }

    @Test
    void serdeOverHttpWritesTheSameBytesAsOverMemory() {
        byte[] viaHttp = new ConfluentAvroSerde<>(client(""), ControlCommand.class).serializer()
                .serialize("grn.control", SampleRecords.cancel());
        byte[] viaMemory = new ConfluentAvroSerde<>(backing, ControlCommand.class).serializer()
                .serialize("grn.control", SampleRecords.cancel());
        assertArrayEquals(viaMemory, viaHttp);
        assertEquals(SampleRecords.cancel(),
                new ConfluentAvroSerde<>(client(""), ControlCommand.class).deserializer().deserialize("grn.control", viaHttp));
    }

    @Test
    void incompatibleChangeIsRefusedWithA409() {
        HttpSchemaRegistryClient client = client("");
        client.register("grn.requests-value", GenerationRequest.getClassSchema());
        // A new required field without a default cannot read records written before it existed.
        assertThrows(IncompatibleSchemaException.class, () -> client.register("grn.requests-value", V2));
    }

    @Test
    void inMemoryRegistryEnforcesBackwardTransitiveCompatibility() {
        backing.register("s-value", GenerationRequest.getClassSchema());
        assertThrows(IncompatibleSchemaException.class, () -> backing.register("s-value", V2));
        assertEquals(1, backing.versions("s-value").size());
    }

    @Test
    void identicalSchemasShareAnIdAcrossSubjects() {
        int a = backing.register("a-value", GenerationRequest.getClassSchema());
        int b = backing.register("b-value", GenerationRequest.getClassSchema());
        int c = backing.register("c-value", ControlCommand.getClassSchema());
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void unknownIdIsAPermanentError() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client("").schemaById(4242));
        assertEquals(SchemaRegistryException.class, e.getClass());
    }

    @Test
    void sendsBasicAuthenticationWhenConfigured() {
        client("svc:s3cret").register("grn.control-value", ControlCommand.getClassSchema());
        assertEquals("Basic c3ZjOnMzY3JldA==", authorizations.get(0));
    }

    @Test
    void unreachableRegistryIsReportedAsTransient() {
        server.stop(0);
        assertThrows(SchemaRegistryUnavailableException.class, () -> client("").schemaById(1));
    }
}
