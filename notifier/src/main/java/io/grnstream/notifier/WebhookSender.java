package io.grnstream.notifier;

import io.grnstream.build.StageStamp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** Makes one delivery attempt without blocking the caller. */
final class WebhookSender {
    /** How an attempt ended: delivered, worth another try, or refused for good by the receiver. */
    enum Outcome { DELIVERED, RETRY, REFUSED }

    record Attempt(Outcome outcome, String detail) {
    }

    private final HttpClient http;
    private final Duration timeout;
    private final String secret;

    WebhookSender(Duration timeout, String secret) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
        this.timeout = timeout;
        this.secret = secret;
    }

    CompletableFuture<Attempt> send(Delivery d, long nowMs) {
        long timestamp = nowMs / 1000;
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(d.url()))
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "grn-stream-notifier/" + StageStamp.grnStreamVersion())
                .header("X-Grn-Event", d.kind())
                // Stable across attempts and redeliveries: receivers deduplicate on it.
                .header("X-Grn-Delivery", d.requestId() + "/" + d.kind())
                .header("X-Grn-Attempt", Integer.toString(d.attempts() + 1))
                .header("X-Grn-Timestamp", Long.toString(timestamp))
                .POST(HttpRequest.BodyPublishers.ofString(d.body()));
        if (!secret.isEmpty()) {
            request.header("X-Grn-Signature", Webhook.signature(secret, timestamp, d.body()));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
                .thenApply(r -> classify(r.statusCode()))
                .exceptionally(e -> new Attempt(Outcome.RETRY, String.valueOf(e.getCause() != null ? e.getCause() : e)));
    }

    /** 2xx delivers; 408, 429 and 5xx are worth retrying; any other answer is the receiver's final no. */
    static Attempt classify(int status) {
        if (status >= 200 && status < 300) {
            return new Attempt(Outcome.DELIVERED, "HTTP " + status);
        }
        boolean retry = status == 408 || status == 429 || status >= 500;
        return new Attempt(retry ? Outcome.RETRY : Outcome.REFUSED, "HTTP " + status);
    }
}
