package io.grnstream.hbq;

import io.grnstream.avro.ErrorType;
import io.grnstream.errors.GrnException;

/** A latent record whose bits do not match its declared geometry or layout; never retried. */
public final class MalformedLatentException extends GrnException {
    private static final long serialVersionUID = 1L;

    public MalformedLatentException(String message) {
        super(message);
    }

    @Override
    public ErrorType errorType() {
        return ErrorType.UNDECODABLE_RECORD;
    }
}
