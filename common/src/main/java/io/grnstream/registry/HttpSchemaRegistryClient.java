package io.grnstream.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Client for any registry speaking the Confluent REST API (Confluent Schema Registry, Apicurio's
 * ccompat API, Karapace). Uses only {@code POST /subjects/{subject}/versions} and
 * {@code GET /schemas/ids/{id}}; both answers are cached, since ids never change.
 */
public final class HttpSchemaRegistryClient implements SchemaRegistryClient {
    private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI baseUri;
    private final String authorization;
    private final Duration timeout;
    private final HttpClient http;
    private final Map<String, Integer> idBySubjectAndSchema = new ConcurrentHashMap<>();
    private final Map<Integer, Schema> schemaById = new ConcurrentHashMap<>();

    public HttpSchemaRegistryClient(String baseUrl, String basicAuthUserInfo, Duration timeout) {
        this.baseUri = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
        this.authorization = basicAuthUserInfo == null || basicAuthUserInfo.isEmpty() ? null
                : "Basic " + Base64.getEncoder().encodeToString(basicAuthUserInfo.getBytes(StandardCharsets.UTF_8));
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    @Override
    public int register(String subject, Schema schema) {
        String canonical = schema.toString();
        return idBySubjectAndSchema.computeIfAbsent(subject + '\0' + canonical, k -> {
            String body;
            try {
                body = JSON.writeValueAsString(Map.of("schema", canonical));
            } catch (IOException e) {
                throw new SchemaRegistryException("cannot encode schema for subject " + subject, e);
            }
            String path = "subjects/" + URLEncoder.encode(subject, StandardCharsets.UTF_8) + "/versions";
            JsonNode answer = call(HttpRequest.newBuilder(baseUri.resolve(path))
                    .POST(HttpRequest.BodyPublishers.ofString(body)), "register subject " + subject);
            int id = answer.path("id").asInt(-1);
            if (id < 0) {
                throw new SchemaRegistryException("registry answered without an id for subject " + subject + ": " + answer);
            }
            schemaById.putIfAbsent(id, schema);
            return id;
        });
    }

    @Override
    public Schema schemaById(int id) {
        return schemaById.computeIfAbsent(id, k -> {
            JsonNode answer = call(HttpRequest.newBuilder(baseUri.resolve("schemas/ids/" + id)).GET(),
                    "fetch schema id " + id);
            String text = answer.path("schema").asText(null);
            if (text == null) {
                throw new SchemaRegistryException("registry answered without a schema for id " + id + ": " + answer);
            }
            return new Schema.Parser().parse(text);
        });
    }

    private JsonNode call(HttpRequest.Builder builder, String what) {
        builder.timeout(timeout).header("Accept", CONTENT_TYPE).header("Content-Type", CONTENT_TYPE);
        if (authorization != null) {
            builder.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SchemaRegistryUnavailableException("schema registry at " + baseUri + " unreachable (" + what + "): " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SchemaRegistryException("interrupted while calling the schema registry (" + what + ")", e);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            json = JSON.createObjectNode().put("message", response.body());
        }
        int status = response.statusCode();
        if (status == 409) {
            throw new IncompatibleSchemaException("registry refused to " + what + ": " + json.path("message").asText());
        }
        if (status / 100 == 5) {
            throw new SchemaRegistryUnavailableException("registry answered HTTP " + status + " to " + what + ": "
                    + json.path("message").asText(response.body()), null);
        }
        if (status / 100 != 2) {
            throw new SchemaRegistryException("registry answered HTTP " + status + " to " + what + ": "
                    + json.path("message").asText(response.body()));
        }
        return json;
    }
}
