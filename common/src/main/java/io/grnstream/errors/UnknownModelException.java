package io.grnstream.errors;

import io.grnstream.avro.ErrorType;

/** The request names a model this deployment does not serve. */
public final class UnknownModelException extends InvalidRequestException {
    private static final long serialVersionUID = 1L;

    public UnknownModelException(String message) {
        super("modelId", message);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.UNKNOWN_MODEL;
    }
}
