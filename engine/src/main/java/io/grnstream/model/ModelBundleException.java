package io.grnstream.model;

/** A model bundle that cannot be served: missing or altered files, or a manifest we cannot read. */
public final class ModelBundleException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelBundleException(String message) {
        super(message);
    }

    public ModelBundleException(String message, Throwable cause) {
        super(message, cause);
    }
}
