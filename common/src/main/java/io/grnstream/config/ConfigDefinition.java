package io.grnstream.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The settings one service accepts, plus key prefixes passed through untouched (for example
 * {@code kafka.} for raw Kafka client properties).
 */
public final class ConfigDefinition {
    private final String name;
    private final Map<String, Setting<?>> settings = new LinkedHashMap<>();
    private final List<PassThrough> passThroughs = new ArrayList<>();

    /** A prefix whose keys are copied as they are, with the prefix removed, to a client. */
    public record PassThrough(String prefix, String doc) {
    }

    public ConfigDefinition(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public ConfigDefinition define(Setting<?> setting) {
        if (settings.putIfAbsent(setting.key(), setting) != null) {
            throw new IllegalArgumentException("setting defined twice: " + setting.key());
        }
        return this;
    }

    public ConfigDefinition defineAll(Collection<? extends Setting<?>> more) {
        more.forEach(this::define);
        return this;
    }

    public ConfigDefinition include(ConfigDefinition other) {
        other.settings.values().forEach(this::define);
        other.passThroughs.forEach(p -> passThrough(p.prefix(), p.doc()));
        return this;
    }

    public ConfigDefinition passThrough(String prefix, String doc) {
        if (!prefix.endsWith(".")) {
            throw new IllegalArgumentException("pass-through prefixes end with a dot: " + prefix);
        }
        if (passThroughs.stream().noneMatch(p -> p.prefix().equals(prefix))) {
            passThroughs.add(new PassThrough(prefix, doc));
        }
        return this;
    }

    public Collection<Setting<?>> settings() {
        return List.copyOf(settings.values());
    }

    public List<PassThrough> passThroughs() {
        return List.copyOf(passThroughs);
    }

    public Optional<Setting<?>> find(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    boolean isPassedThrough(String key) {
        return passThroughs.stream().anyMatch(p -> key.startsWith(p.prefix()) && key.length() > p.prefix().length());
    }

    /** The defined key closest to a mistyped one, for "did you mean" hints. */
    Optional<String> closestKey(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : settings.keySet()) {
            int d = editDistance(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
