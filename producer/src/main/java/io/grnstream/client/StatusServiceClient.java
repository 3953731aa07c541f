package io.grnstream.client;

import io.grnstream.avro.RequestEvent;
import io.grnstream.kafka.RequestEventJson;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks the status service for a request's latest event. */
final class StatusServiceClient {
    private static final Logger log = LoggerFactory.getLogger(StatusServiceClient.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final String PATH = "/v1/requests/";

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    StatusServiceClient(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        URI.create(this.baseUrl + PATH); // a malformed URL fails here, at construction
    }

    /**
     * The service's answer: the event, or empty for NOT_FOUND. Empty outside when it gave no
     * usable answer (down, rebuilding, an error), so the caller reads the topic instead.
     */
    Optional<Optional<RequestEvent>> latestEvent(String requestId) {
        URI uri = URI.create(baseUrl + PATH + URLEncoder.encode(requestId, StandardCharsets.UTF_8));
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 200 || response.statusCode() == 404) {
                return Optional.of(Optional.ofNullable(RequestEventJson.parse(response.body())));
            }
            log.warn("status service {} answered {} for {}: {}; reading the events topic instead", baseUrl,
                    response.statusCode(), requestId, response.body());
        } catch (IOException | RuntimeException e) {
            log.warn("status service {} gave no answer for {} ({}); reading the events topic instead", baseUrl, requestId,
                    e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Optional.empty();
    }
}
