package io.grnstream.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Resolves a {@link ConfigDefinition} from, in increasing precedence: defaults, a properties file,
 * environment variables ({@code GRN_*}) and command-line flags ({@code --key=value}). The file is
 * named by {@code --config PATH} or {@code GRN_CONFIG}. Unknown keys in a file or flag are errors,
 * so a typo never silently falls back to a default.
 */
public final class ConfigLoader {
    public static final String CONFIG_FILE_FLAG = "config";
    public static final String CONFIG_FILE_ENV = "GRN_CONFIG";

    private ConfigLoader() {
    }

    public static GrnConfig load(ConfigDefinition definition, String[] args, Map<String, String> environment) {
        Map<String, String> flags = parseFlags(args);
        String file = flags.remove(CONFIG_FILE_FLAG);
        if (file == null) {
            file = environment.get(CONFIG_FILE_ENV);
        }
        Map<String, String> fileValues = file == null ? Map.of() : readPropertiesFile(Path.of(file));
        return load(definition, fileValues, environment, flags);
    }

    public static GrnConfig load(ConfigDefinition definition, Map<String, String> fileValues,
                                 Map<String, String> environment, Map<String, String> flags) {
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, GrnConfig.Source> sources = new LinkedHashMap<>();
        layer(definition, fileValues, GrnConfig.Source.FILE, text, sources);
        layer(definition, fromEnvironment(definition, environment), GrnConfig.Source.ENVIRONMENT, text, sources);
        layer(definition, flags, GrnConfig.Source.FLAG, text, sources);
        return build(definition, text, sources);
    }

    /** Defaults only, plus explicit values; what tests and the embedded runner use. */
    public static GrnConfig fromMap(ConfigDefinition definition, Map<String, String> values) {
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, GrnConfig.Source> sources = new LinkedHashMap<>();
        layer(definition, values, GrnConfig.Source.OVERRIDE, text, sources);
        return build(definition, text, sources);
    }

    static GrnConfig resolve(ConfigDefinition definition, GrnConfig base, Map<String, String> overrides) {
        Map<String, String> text = new LinkedHashMap<>();
        Map<String, GrnConfig.Source> sources = new LinkedHashMap<>();
        for (Setting<?> s : definition.settings()) {
            GrnConfig.Source source = base.sourceOf(s);
            if (source != GrnConfig.Source.DEFAULT && base.rawValue(s.key()) != null) {
                text.put(s.key(), formatUnchecked(s, base.rawValue(s.key())));
                sources.put(s.key(), source);
            }
        }
        text.putAll(base.rawPassThrough());
        layer(definition, overrides, GrnConfig.Source.OVERRIDE, text, sources);
        return build(definition, text, sources);
    }

    @SuppressWarnings("unchecked")
    private static <T> String formatUnchecked(Setting<T> setting, Object value) {
        return setting.type().format((T) value);
    }

    /** {@code --key=value} and {@code --key value}; a bare {@code --flag} means true. */
    public static Map<String, String> parseFlags(String[] args) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new ConfigException(null, "unexpected argument '" + arg + "'; settings are given as --key=value");
            }
            String body = arg.substring(2);
            int eq = body.indexOf('=');
            if (eq >= 0) {
                flags.put(body.substring(0, eq), body.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                flags.put(body, args[++i]);
            } else {
                flags.put(body, "true");
            }
        }
        return flags;
    }

    public static Map<String, String> readPropertiesFile(Path path) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new ConfigException(null, "cannot read configuration file " + path + ": " + e.getMessage());
        }
        Map<String, String> out = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(k -> out.put(k.strip(), properties.getProperty(k).strip()));
        return out;
    }

    private static Map<String, String> fromEnvironment(ConfigDefinition definition, Map<String, String> environment) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Setting<?> s : definition.settings()) {
            String value = environment.get(s.environmentVariable());
            if (value != null) {
                out.put(s.key(), value);
            }
        }
        for (ConfigDefinition.PassThrough p : definition.passThroughs()) {
            String envPrefix = Setting.environmentVariableFor(p.prefix().substring(0, p.prefix().length() - 1)) + "_";
            environment.forEach((name, value) -> {
                if (name.startsWith(envPrefix) && name.length() > envPrefix.length()) {
                    String rest = name.substring(envPrefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                    out.put(p.prefix() + rest, value);
                }
            });
        }
        return out;
    }

    private static void layer(ConfigDefinition definition, Map<String, String> values, GrnConfig.Source source,
                              Map<String, String> text, Map<String, GrnConfig.Source> sources) {
        values.forEach((key, value) -> {
            if (definition.find(key).isEmpty() && !definition.isPassedThrough(key)) {
                String hint = definition.closestKey(key).map(k -> "; did you mean '" + k + "'?").orElse("");
                throw new ConfigException(key, "unknown setting for " + definition.name() + " (from "
                        + source.name().toLowerCase(Locale.ROOT) + ")" + hint);
            }
            text.put(key, value);
            sources.put(key, source);
        });
    }

    private static GrnConfig build(ConfigDefinition definition, Map<String, String> text,
                                   Map<String, GrnConfig.Source> sources) {
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, GrnConfig.Source> resolvedSources = new LinkedHashMap<>();
        for (Setting<?> s : definition.settings()) {
            String raw = text.get(s.key());
            if (raw != null) {
                values.put(s.key(), s.parseAndValidate(raw));
                resolvedSources.put(s.key(), sources.get(s.key()));
            } else if (s.isRequired()) {
                throw new ConfigException(s.key(), "required; set it in the configuration file, as --"
                        + s.key() + "=VALUE or in " + s.environmentVariable());
            } else {
                values.put(s.key(), s.defaultValue());
                resolvedSources.put(s.key(), GrnConfig.Source.DEFAULT);
            }
        }
        Map<String, String> passThrough = new LinkedHashMap<>();
        text.forEach((k, v) -> {
            if (definition.find(k).isEmpty()) {
                passThrough.put(k, v);
            }
        });
        return new GrnConfig(definition, values, resolvedSources, passThrough);
    }
}
