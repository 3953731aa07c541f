package io.grnstream.status;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.EntropyGuidedSteps;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.blob.BlobKeys;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.Topic;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * Submitting and cancelling over HTTP: a JSON body becomes the same GenerationRequest and QUEUED
 * event the Java client writes, and a cancel becomes the same control command. The stages check
 * everything else (a prompt the model cannot take ends FAILED with its reason, visible at
 * GET /v1/requests/{id}); here only what makes no request at all is refused.
 */
final class HttpSubmissions {
    static final String EMITTED_BY = "status-api";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("requestId", "prompt", "negativePrompt", "seed", "frames", "fps",
            "aspectRatio", "resolutionPreset", "guidanceScale", "temperature", "steps", "entropyGuided", "priority",
            "modelId", "clientMetadata", "deadlineSeconds");
    private static final SecureRandom SEEDS = new SecureRandom();

    private final KafkaProducer<byte[], byte[]> producer;
    private final Topic<GenerationRequest> requests;
    private final Topic<RequestEvent> events;
    private final Topic<ControlCommand> control;

    HttpSubmissions(KafkaProducer<byte[], byte[]> producer, Topic<GenerationRequest> requests, Topic<RequestEvent> events,
                    Topic<ControlCommand> control) {
        this.producer = producer;
        this.requests = requests;
        this.events = events;
        this.control = control;
    }

    /** The request a POST body describes; InvalidRequestException names the field that is wrong. */
    static GenerationRequest parse(String body, long nowMs) {
        JsonNode o;
        try {
            o = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException("body", "not JSON: " + e.getOriginalMessage());
        }
        if (o == null || !o.isObject()) {
            throw new InvalidRequestException("body", "must be a JSON object");
        }
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidRequestException(name, "is not a field of a request; known: " + new java.util.TreeSet<>(FIELDS));
            }
        }
        String prompt = text(o, "prompt");
        if (prompt == null || prompt.isBlank()) {
            throw new InvalidRequestException("prompt", "is required");
        }
        String id = text(o, "requestId");
        GenerationRequest.Builder b = GenerationRequest.newBuilder()
                .setRequestId(id == null ? UUID.randomUUID().toString() : BlobKeys.validRequestId(id))
                .setPrompt(prompt)
                .setNegativePrompt(o.hasNonNull("negativePrompt") ? text(o, "negativePrompt") : "")
                .setSeed(o.hasNonNull("seed") ? integer(o, "seed") : SEEDS.nextLong() & Long.MAX_VALUE)
                .setFrames(o.hasNonNull("frames") ? (int) integer(o, "frames") : null)
                .setFps(o.hasNonNull("fps") ? (int) integer(o, "fps") : null)
                .setAspectRatio(text(o, "aspectRatio"))
                .setResolutionPreset(text(o, "resolutionPreset"))
                .setGuidanceScale(o.hasNonNull("guidanceScale") ? number(o, "guidanceScale") : null)
                .setTemperature(o.hasNonNull("temperature") ? number(o, "temperature") : null)
                .setPriority(o.hasNonNull("priority") ? (int) integer(o, "priority") : 0)
                .setModelId(text(o, "modelId"))
                .setDeadlineEpochMs(o.hasNonNull("deadlineSeconds") ? nowMs + 1000 * integer(o, "deadlineSeconds") : null)
                .setSubmittedAtEpochMs(nowMs);
        if (o.hasNonNull("steps") && o.path("entropyGuided").asBoolean(false)) {
            throw new InvalidRequestException("steps", "and entropyGuided exclude each other");
        }
        if (o.hasNonNull("steps")) {
            b.setStepPolicy(new FixedSteps((int) integer(o, "steps")));
        } else if (o.path("entropyGuided").asBoolean(false)) {
            b.setStepPolicy(EntropyGuidedSteps.newBuilder().build());
        }
        Map<String, String> metadata = new HashMap<>();
        if (o.has("clientMetadata")) {
            JsonNode m = o.get("clientMetadata");
            if (!m.isObject()) {
                throw new InvalidRequestException("clientMetadata", "must be an object of strings");
            }
            m.fields().forEachRemaining(e -> {
                if (!e.getValue().isTextual()) {
                    throw new InvalidRequestException("clientMetadata." + e.getKey(), "must be a string");
                }
                metadata.put(e.getKey(), e.getValue().asText());
            });
        }
        return b.setClientMetadata(metadata).build();
    }

    /** Publishes the request and its QUEUED event, as the Java client does, and waits for the broker. */
    void submit(GenerationRequest r) {
        producer.send(requests.record(r.getRequestId(), r));
        producer.send(events.record(r.getRequestId(), Events.event(r.getRequestId(), RequestStatus.QUEUED, Stage.SUBMITTED,
                EMITTED_BY, r.getSubmittedAtEpochMs()).build()));
        producer.flush();
    }

    void cancel(String requestId, String reason, long nowMs) {
        producer.send(control.record(requestId, ControlCommand.newBuilder().setRequestId(requestId)
                .setAction(ControlAction.CANCEL).setReason(reason).setIssuedBy(EMITTED_BY).setIssuedAtEpochMs(nowMs).build()));
        producer.flush();
    }

    /** What a 202 says: the id and where to look next. */
    static String accepted(String requestId, String status) {
        ObjectNode o = JSON.createObjectNode();
        o.put("requestId", requestId);
        o.put("status", status);
        o.put("statusUrl", StatusService.PATH + requestId);
        o.put("eventsUrl", StatusService.PATH + requestId + StatusService.EVENTS_SUFFIX);
        o.put("videoUrl", StatusService.PATH + requestId + StatusService.VIDEO_SUFFIX);
        return o.toString();
    }

    private static String text(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw new InvalidRequestException(field, "must be a string");
        }
        return v.asText();
    }

    private static long integer(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new InvalidRequestException(field, "must be an integer");
        }
        return v.asLong();
    }

    private static double number(JsonNode o, String field) {
        JsonNode v = o.get(field);
        if (!v.isNumber()) {
            throw new InvalidRequestException(field, "must be a number");
        }
        return v.asDouble();
    }
}
