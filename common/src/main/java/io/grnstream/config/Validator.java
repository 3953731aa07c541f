package io.grnstream.config;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;

/**
 * A rule a setting's value must satisfy.
 *
 * @param rule  the rule in words, used in errors and in the configuration table
 * @param check true when the value is acceptable
 */
public record Validator<T>(String rule, Predicate<? super T> check) {

    public static <T> Validator<T> any() {
        return new Validator<>("", v -> true);
    }

    public static Validator<Integer> atLeast(int min) {
        return new Validator<>(">= " + min, v -> v >= min);
    }

    public static Validator<Long> atLeast(long min) {
        return new Validator<>(">= " + min, v -> v >= min);
    }

    public static Validator<Integer> between(int min, int max) {
        return new Validator<>("in [" + min + ", " + max + "]", v -> v >= min && v <= max);
    }

    public static Validator<Double> between(double min, double max) {
        return new Validator<>("in [" + min + ", " + max + "]", v -> v >= min && v <= max);
    }

    public static Validator<String> nonBlank() {
        return new Validator<>("not blank", v -> !v.isBlank());
    }

    public static Validator<String> oneOf(String... allowed) {
        List<String> values = List.of(allowed);
        return new Validator<>("one of " + String.join(", ", values), values::contains);
    }

    public static Validator<String> startsWithAny(String... prefixes) {
        return new Validator<>("starts with " + String.join(" or ", prefixes),
                v -> List.of(prefixes).stream().anyMatch(v::startsWith));
    }

    public static <E> Validator<Collection<E>> nonEmpty() {
        return new Validator<>("not empty", c -> !c.isEmpty());
    }

    void ensureValid(String key, T value) {
        if (!check.test(value)) {
            throw new ConfigException(key, "value '" + value + "' breaks the rule: " + rule);
        }
    }
}
