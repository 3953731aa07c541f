package io.grnstream.client;

import io.grnstream.avro.ErrorInfo;
import io.grnstream.avro.RequestStatus;

/** A request ended without a video: FAILED, CANCELLED or TIMED_OUT, with the stage's reason. */
public final class RequestFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient RequestStatus status;
    private final transient ErrorInfo error;

    public RequestFailedException(String requestId, RequestStatus status, ErrorInfo error) {
        super("request " + requestId + " ended " + status + (error == null ? "" : " (" + error.getType() + "): "
                + error.getMessage()));
        this.status = status;
        this.error = error;
    }

    public RequestStatus status() {
        return status;
    }

    public ErrorInfo error() {
        return error;
    }
}
