package io.grnstream.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** Resolved, validated configuration of one service. Immutable. */
public final class GrnConfig {
    /** Where a value came from, lowest precedence first. */
    public enum Source { DEFAULT, FILE, ENVIRONMENT, FLAG, OVERRIDE }

    private final ConfigDefinition definition;
    private final Map<String, Object> values;
    private final Map<String, Source> sources;
    private final Map<String, String> passThrough;

    GrnConfig(ConfigDefinition definition, Map<String, Object> values, Map<String, Source> sources,
              Map<String, String> passThrough) {
        this.definition = definition;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.sources = Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.passThrough = Collections.unmodifiableMap(new TreeMap<>(passThrough));
    }

    public ConfigDefinition definition() {
        return definition;
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        if (definition.find(setting.key()).isEmpty()) {
            throw new ConfigException(setting.key(), "not defined for " + definition.name());
        }
        return (T) values.get(setting.key());
    }

    public Source sourceOf(Setting<?> setting) {
        return sources.get(setting.key());
    }

    /** Keys under a pass-through prefix, with the prefix removed. */
    public Map<String, String> passThrough(String prefix) {
        Map<String, String> out = new TreeMap<>();
        passThrough.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    /** A copy with some values replaced, validated like any other source. */
    public GrnConfig with(Map<String, String> overrides) {
        return ConfigLoader.resolve(definition, this, overrides);
    }

    Object rawValue(String key) {
        return values.get(key);
    }

    Map<String, String> rawPassThrough() {
        return passThrough;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(definition.name()).append(" configuration:");
        for (Setting<?> s : definition.settings()) {
            Object v = values.get(s.key());
            sb.append("\n  ").append(s.key()).append(" = ")
              .append(s.secret() && v != null ? "[hidden]" : String.valueOf(v))
              .append(" (").append(sources.get(s.key())).append(')');
        }
        passThrough.forEach((k, v) -> sb.append("\n  ").append(k).append(" = ")
                .append(looksSecret(k) ? "[hidden]" : v).append(" (pass-through)"));
        return sb.toString();
    }

    private static boolean looksSecret(String key) {
        String k = key.toLowerCase(java.util.Locale.ROOT);
        return k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("credential")
                || k.contains("token") || k.contains("user.info");
    }
}
