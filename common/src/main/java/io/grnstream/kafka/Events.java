package io.grnstream.kafka;

import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorInfo;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import java.nio.ByteBuffer;

/** Builders for the records every stage emits about a request: events and dead letters. */
public final class Events {
    private Events() {
    }

    /** COMPLETED, FAILED, CANCELLED or TIMED_OUT: nothing more happens to the request. */
    public static boolean isTerminal(RequestStatus status) {
        return switch (status) {
            case COMPLETED, FAILED, CANCELLED, TIMED_OUT -> true;
            case QUEUED, IN_PROGRESS -> false;
        };
    }

    public static RequestEvent.Builder event(String requestId, RequestStatus status, Stage stage, String emittedBy,
                                             long nowMs) {
        return RequestEvent.newBuilder()
                .setRequestId(requestId)
                .setStatus(status)
                .setStage(stage)
                .setEmittedBy(emittedBy)
                .setTimestampEpochMs(nowMs);
    }

    public static RequestEvent failed(String requestId, RequestStatus status, Stage stage, ErrorType type,
                                      String message, boolean retriable, String emittedBy, long nowMs) {
        return event(requestId, status, stage, emittedBy, nowMs)
                .setError(ErrorInfo.newBuilder().setType(type).setMessage(message).setRetriable(retriable).build())
                .build();
    }

    /** A record a stage gives up on, with its original bytes and where it came from. */
    public static DeadLetter deadLetter(String requestId, String topic, int partition, long offset, byte[] key,
                                        byte[] value, String stage, ErrorType type, String message, Throwable cause,
                                        long nowMs) {
        return DeadLetter.newBuilder()
                .setRequestId(requestId)
                .setOriginalTopic(topic)
                .setOriginalPartition(partition)
                .setOriginalOffset(offset)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setStage(stage)
                .setErrorType(type)
                .setErrorMessage(message == null ? String.valueOf(cause) : message)
                .setExceptionClass(cause == null ? null : cause.getClass().getName())
                .setAttempt(1)
                .setFailedAtEpochMs(nowMs)
                .build();
    }
}
