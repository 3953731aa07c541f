package io.grnstream.config;

/** A setting is missing, malformed or breaks its rule; the message always names the key. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String key;

    public ConfigException(String key, String message) {
        super(key == null ? message : "setting '" + key + "': " + message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
