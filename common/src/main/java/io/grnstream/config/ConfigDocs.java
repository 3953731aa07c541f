package io.grnstream.config;

/** Renders a definition as the Markdown table the README carries (and a test checks). */
public final class ConfigDocs {
    private ConfigDocs() {
    }

    public static String markdownTable(ConfigDefinition definition) {
        return markdownTable(definition, new ConfigDefinition("none"));
    }

    /** The table of a service's own settings, leaving out those it shares through {@code shared}. */
    public static String markdownTable(ConfigDefinition definition, ConfigDefinition shared) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Key | Environment | Type | Default | Rule | Description |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Setting<?> s : definition.settings()) {
            if (shared.find(s.key()).isPresent()) {
                continue;
            }
            sb.append("| `").append(s.key()).append("` | `").append(s.environmentVariable()).append("` | ")
              .append(s.type().name()).append(" | ")
              .append(s.isRequired() ? "*required*" : s.defaultText().isEmpty() ? "" : "`" + s.defaultText() + "`")
              .append(" | ").append(s.validator().rule()).append(" | ").append(escape(s.doc())).append(" |\n");
        }
        for (ConfigDefinition.PassThrough p : definition.passThroughs()) {
            if (shared.passThroughs().contains(p)) {
                continue;
            }
            sb.append("| `").append(p.prefix()).append("*` | `")
              .append(Setting.environmentVariableFor(p.prefix().substring(0, p.prefix().length() - 1)))
              .append("_*` | pass-through |  |  | ").append(escape(p.doc())).append(" |\n");
        }
        return sb.toString();
    }

    private static String escape(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
