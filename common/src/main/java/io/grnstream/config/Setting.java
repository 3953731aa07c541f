package io.grnstream.config;

import java.util.Locale;

/**
 * One configuration setting, defined once: key, type, default, documentation and rule. A setting
 * without a default is required.
 */
public record Setting<T>(String key, SettingType<T> type, T defaultValue, String doc, Validator<? super T> validator,
                         boolean secret) {

    public Setting {
        if (key == null || !key.matches("[a-z][a-z0-9.\\-]*")) {
            throw new IllegalArgumentException("setting keys are lower-case dotted words: " + key);
        }
    }

    public static <T> Setting<T> of(String key, SettingType<T> type, T defaultValue, String doc) {
        return new Setting<>(key, type, defaultValue, doc, Validator.any(), false);
    }

    public static <T> Setting<T> required(String key, SettingType<T> type, String doc) {
        return new Setting<>(key, type, null, doc, Validator.any(), false);
    }

    public Setting<T> validatedBy(Validator<? super T> rule) {
        return new Setting<>(key, type, defaultValue, doc, rule, secret);
    }

    /** Secret values are masked wherever configuration is printed. */
    public Setting<T> asSecret() {
        return new Setting<>(key, type, defaultValue, doc, validator, true);
    }

    public boolean isRequired() {
        return defaultValue == null;
    }

    /** The environment variable that sets this key: GRN_ plus the key upper-cased, dots and dashes as underscores. */
    public String environmentVariable() {
        return environmentVariableFor(key);
    }

    static String environmentVariableFor(String key) {
        return "GRN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    T parseAndValidate(String text) {
        T value = type.parse(key, text);
        validator.ensureValid(key, value);
        return value;
    }

    String defaultText() {
        return defaultValue == null ? "" : type.format(defaultValue);
    }
}
