package io.grnstream.registry;

/** The registry could not be reached or failed on its side (5xx): worth retrying, unlike other refusals. */
public final class SchemaRegistryUnavailableException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public SchemaRegistryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
