package io.grnstream.notifier;

/**
 * A webhook call still to be made, as kept in the deliveries store: what to send where, how many
 * attempts were made, when the next is due, and the record it came from (for the dead letter).
 */
record Delivery(String requestId, String kind, String url, String body, int attempts, long nextAttemptAtMs,
                String originTopic, int originPartition, long originOffset) {

    Delivery failedAttempt(long nextAttemptAtMs) {
        return new Delivery(requestId, kind, url, body, attempts + 1, nextAttemptAtMs, originTopic, originPartition,
                originOffset);
    }
}
