package io.grnstream.errors;

import io.grnstream.avro.ErrorType;

/** The request can never succeed as written (bad field, impossible geometry); never retried. */
public class InvalidRequestException extends GrnException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidRequestException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The request field at fault, e.g. {@code frames}. */
    public String field() {
        return field;
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.INVALID_REQUEST;
    }
}
