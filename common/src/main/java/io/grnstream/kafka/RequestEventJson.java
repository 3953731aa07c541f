package io.grnstream.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grnstream.avro.ErrorInfo;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON form of a request's latest event, as the status service answers it: plain fields an
 * HTTP client reads without Avro (absent fields are left out), and NOT_FOUND for an unknown id.
 * The Java client reads it back with {@link #parse}; fields it does not know are ignored, so the
 * service may add some.
 */
public final class RequestEventJson {
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String NOT_FOUND = "NOT_FOUND";

    private RequestEventJson() {
    }

    public static String write(RequestEvent e) {
        return tree(e).toString();
    }

    /** The JSON object of {@link #write}, for embedding in a larger body. */
    public static ObjectNode tree(RequestEvent e) {
        ObjectNode o = JSON.createObjectNode();
        o.put("requestId", e.getRequestId());
        o.put("status", e.getStatus().name());
        if (e.getStage() != null) {
            o.put("stage", e.getStage().name());
        }
        if (e.getStep() != null) {
            o.put("step", e.getStep());
        }
        if (e.getTotalSteps() != null) {
            o.put("totalSteps", e.getTotalSteps());
        }
        if (e.getEntropy() != null) {
            o.put("entropy", e.getEntropy());
        }
        if (e.getEtaMs() != null) {
            o.put("etaMs", e.getEtaMs());
        }
        if (e.getError() != null) {
            ObjectNode error = o.putObject("error");
            error.put("type", e.getError().getType().name());
            error.put("message", e.getError().getMessage());
            error.put("retriable", e.getError().getRetriable());
        }
        if (e.getPreviewUri() != null) {
            o.put("previewUri", e.getPreviewUri());
        }
        o.put("emittedBy", e.getEmittedBy());
        o.put("attempt", e.getAttempt());
        o.put("timestampEpochMs", e.getTimestampEpochMs());
        return o;
    }

    public static String notFound(String requestId) {
        ObjectNode o = JSON.createObjectNode();
        o.put("requestId", requestId);
        o.put("status", NOT_FOUND);
        return o.toString();
    }

    /** The event, or null for a NOT_FOUND answer. */
    public static RequestEvent parse(String json) {
        JsonNode o;
        try {
            o = JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("not a request status: " + abbreviate(json), e);
        }
        if (o == null || !o.hasNonNull("requestId") || !o.hasNonNull("status")) {
            throw new IllegalArgumentException("not a request status: " + abbreviate(json));
        }
        if (NOT_FOUND.equals(o.get("status").asText())) {
            return null;
        }
        if (!o.hasNonNull("timestampEpochMs")) {
            throw new IllegalArgumentException("a request status without its time: " + abbreviate(json));
        }
        RequestEvent.Builder b = RequestEvent.newBuilder()
                .setRequestId(o.get("requestId").asText())
                .setStatus(RequestStatus.valueOf(o.get("status").asText()))
                .setTimestampEpochMs(o.get("timestampEpochMs").asLong());
        if (o.hasNonNull("stage")) {
            b.setStage(Stage.valueOf(o.get("stage").asText()));
        }
        if (o.hasNonNull("step")) {
            b.setStep(o.get("step").asInt());
        }
        if (o.hasNonNull("totalSteps")) {
            b.setTotalSteps(o.get("totalSteps").asInt());
        }
        if (o.hasNonNull("entropy")) {
            b.setEntropy(o.get("entropy").asDouble());
        }
        if (o.hasNonNull("etaMs")) {
            b.setEtaMs(o.get("etaMs").asLong());
        }
        if (o.hasNonNull("error")) {
            JsonNode error = o.get("error");
            b.setError(ErrorInfo.newBuilder().setType(errorType(error.path("type").asText()))
                    .setMessage(error.path("message").asText()).setRetriable(error.path("retriable").asBoolean()).build());
        }
        if (o.hasNonNull("previewUri")) {
            b.setPreviewUri(o.get("previewUri").asText());
        }
        if (o.hasNonNull("emittedBy")) {
            b.setEmittedBy(o.get("emittedBy").asText());
        }
        if (o.hasNonNull("attempt")) {
            b.setAttempt(o.get("attempt").asInt());
        }
        return b.build();
    }

    /** As the Avro enum's default says: a type this reader does not know reads INTERNAL. */
    private static ErrorType errorType(String name) {
        for (ErrorType t : ErrorType.values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return ErrorType.INTERNAL;
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
