package io.grnstream.errors;

import io.grnstream.avro.ErrorType;

/** The request was cancelled by its owner; work on it stopped and nothing of it is published. */
public final class RequestCancelledException extends GrnException {
    private static final long serialVersionUID = 1L;

    public RequestCancelledException(String message) {
        super(message);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.CANCELLED;
    }
}
