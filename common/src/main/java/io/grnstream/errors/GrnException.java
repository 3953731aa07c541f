package io.grnstream.errors;

import io.grnstream.avro.ErrorType;

/**
 * A failure the pipeline classifies: its {@link ErrorType} goes on the events and dead-letter
 * topics, and {@link #retriable()} tells the error policy whether another attempt can help.
 */
public abstract class GrnException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected GrnException(String message) {
        super(message);
    }

    protected GrnException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract ErrorType errorType();

    public boolean retriable() {
        return false;
    }
}
