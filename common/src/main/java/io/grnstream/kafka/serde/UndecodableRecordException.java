package io.grnstream.kafka.serde;

import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that are not a valid record of the expected type in the Confluent wire format: wrong
 * magic byte, unknown schema id, truncated or trailing data, or an incompatible writer schema.
 * Stages treat it as a permanent error (dead letter), never as a reason to retry.
 */
public final class UndecodableRecordException extends SerializationException {
    private static final long serialVersionUID = 1L;

    public UndecodableRecordException(String message) {
        super(message);
    }

    public UndecodableRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
