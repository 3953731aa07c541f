package io.grnstream.registry;

/** A new schema version cannot read data written with an earlier version of the same subject. */
public final class IncompatibleSchemaException extends SchemaRegistryException {
    private static final long serialVersionUID = 1L;

    public IncompatibleSchemaException(String message) {
        super(message);
    }
}
