package io.grnstream.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How a setting's text becomes a typed value, and back for documentation.
 *
 * @param name      shown in errors and in the generated configuration table
 * @param parser    text to value; throws IllegalArgumentException on malformed text
 * @param formatter value to the text a user would write
 */
public record SettingType<T>(String name, Function<String, T> parser, Function<T, String> formatter) {

    public static final SettingType<String> STRING = new SettingType<>("string", s -> s, s -> s);
    public static final SettingType<Integer> INT = new SettingType<>("int", s -> Integer.parseInt(s.strip()), String::valueOf);
    public static final SettingType<Long> LONG = new SettingType<>("long", s -> Long.parseLong(s.strip()), String::valueOf);
    public static final SettingType<Double> DOUBLE = new SettingType<>("double", s -> Double.parseDouble(s.strip()), String::valueOf);
    public static final SettingType<Boolean> BOOLEAN = new SettingType<>("boolean", SettingType::parseBoolean, String::valueOf);
    public static final SettingType<Path> PATH = new SettingType<>("path", s -> Path.of(s.strip()), Path::toString);
    /** ISO-8601 (PT30S) or a number with a unit: 250ms, 30s, 5m, 2h, 7d. */
    public static final SettingType<Duration> DURATION = new SettingType<>("duration", SettingType::parseDuration, SettingType::formatDuration);
    public static final SettingType<List<String>> LIST = new SettingType<>("list",
            s -> s.isBlank() ? List.of() : Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList(),
            l -> String.join(",", l));

    T parse(String key, String text) {
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            throw new ConfigException(key, "expected a " + name + ", got '" + text + "'");
        }
    }

    String format(T value) {
        return value == null ? "" : formatter.apply(value);
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> true;
            case "false", "no", "off", "0" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    static Duration parseDuration(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        if (t.startsWith("p")) {
            return Duration.parse(t.toUpperCase(Locale.ROOT));
        }
        int split = 0;
        while (split < t.length() && (Character.isDigit(t.charAt(split)) || t.charAt(split) == '-')) {
            split++;
        }
        long amount = Long.parseLong(t.substring(0, split));
        return switch (t.substring(split).strip()) {
            case "ms" -> Duration.ofMillis(amount);
            case "s", "" -> Duration.ofSeconds(amount);
            case "m", "min" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> throw new IllegalArgumentException(s);
        };
    }

    static String formatDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms != 0) return ms / 86_400_000L + "d";
        if (ms % 3_600_000L == 0 && ms != 0) return ms / 3_600_000L + "h";
        if (ms % 60_000L == 0 && ms != 0) return ms / 60_000L + "m";
        if (ms % 1000L == 0) return ms / 1000L + "s";
        return ms + "ms";
    }
}
