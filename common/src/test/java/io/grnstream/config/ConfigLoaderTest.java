package io.grnstream.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final Setting<Integer> WORKERS = Setting.of("workers", SettingType.INT, 2, "worker threads")
            .validatedBy(Validator.between(1, 64));
    private static final Setting<String> MODEL = Setting.required("model.dir", SettingType.STRING, "bundle directory");
    private static final Setting<String> PASSWORD = Setting.of("blob.password", SettingType.STRING, "", "secret").asSecret();

    private static ConfigDefinition definition() {
        return CommonSettings.definition("test-service").define(WORKERS).define(MODEL).define(PASSWORD);
    }

    @Test
    void flagsOverrideEnvironmentWhichOverridesFileWhichOverridesDefaults(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("grn.properties");
        Files.writeString(file, "workers=3\nmodel.dir=/file\ntopic.prefix=file.\n");
        GrnConfig config = ConfigLoader.load(definition(),
                new String[] {"--config", file.toString(), "--workers=5"},
                Map.of("GRN_WORKERS", "4", "GRN_MODEL_DIR", "/env"));

        assertEquals(5, config.get(WORKERS));
        assertEquals(GrnConfig.Source.FLAG, config.sourceOf(WORKERS));
        assertEquals("/env", config.get(MODEL));
        assertEquals(GrnConfig.Source.ENVIRONMENT, config.sourceOf(MODEL));
        assertEquals("file.", config.get(CommonSettings.TOPIC_PREFIX));
        assertEquals("localhost:9092", config.get(CommonSettings.BOOTSTRAP_SERVERS));
        assertEquals(GrnConfig.Source.DEFAULT, config.sourceOf(CommonSettings.BOOTSTRAP_SERVERS));
    }

    @Test
    void configFileMayBeNamedByEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("grn.properties");
        Files.writeString(file, "model.dir=/from-file\n");
        GrnConfig config = ConfigLoader.load(definition(), new String[0], Map.of("GRN_CONFIG", file.toString()));
        assertEquals("/from-file", config.get(MODEL));
    }

    @Test
    void unknownKeyIsRejectedWithASuggestion() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(definition(),
                Map.of("bootstrap.server", "x:1", "model.dir", "/m"), Map.of(), Map.of()));
        assertEquals("bootstrap.server", e.key());
        assertTrue(e.getMessage().contains("did you mean 'bootstrap.servers'"), e.getMessage());
    }

    @Test
    void malformedValueNamesTheKeyAndTheType() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(definition(), Map.of(), Map.of(), Map.of("workers", "many", "model.dir", "/m")));
        assertEquals("setting 'workers': expected a int, got 'many'", e.getMessage());
    }

    @Test
    void valueBreakingTheRuleNamesTheRule() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(definition(), Map.of(), Map.of("GRN_WORKERS", "65", "GRN_MODEL_DIR", "/m"), Map.of()));
        assertTrue(e.getMessage().contains("'workers'") && e.getMessage().contains("in [1, 64]"), e.getMessage());
    }

    @Test
    void missingRequiredSettingSaysHowToSetIt() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(definition(), Map.of(), Map.of(), Map.of()));
        assertEquals("model.dir", e.key());
        assertTrue(e.getMessage().contains("GRN_MODEL_DIR") && e.getMessage().contains("--model.dir="), e.getMessage());
    }

    @Test
    void kafkaPropertiesPassThroughFromEverySource() {
        GrnConfig config = ConfigLoader.load(definition(), Map.of("kafka.security.protocol", "SASL_SSL"),
                Map.of("GRN_KAFKA_SASL_MECHANISM", "PLAIN", "GRN_MODEL_DIR", "/m"),
                Map.of("kafka.linger.ms", "20"));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN", "linger.ms", "20"),
                config.passThrough("kafka."));
    }

    @Test
    void secretsAreMaskedWhenPrinted() {
        GrnConfig config = ConfigLoader.fromMap(definition(), Map.of("model.dir", "/m", "blob.password", "hunter2",
                "kafka.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"p\";"));
        String printed = config.toString();
        assertFalse(printed.contains("hunter2"), printed);
        assertFalse(printed.contains("password=\"p\""), printed);
        assertTrue(printed.contains("blob.password = [hidden]"), printed);
    }

    @Test
    void parsesDurationsListsAndBooleans() {
        assertEquals(Duration.ofMillis(250), SettingType.DURATION.parse("k", "250ms"));
        assertEquals(Duration.ofDays(7), SettingType.DURATION.parse("k", "7d"));
        assertEquals(Duration.ofSeconds(90), SettingType.DURATION.parse("k", "PT1M30S"));
        assertEquals("7d", SettingType.DURATION.format(Duration.ofDays(7)));
        assertEquals(List.of("a", "b"), SettingType.LIST.parse("k", " a, b ,"));
        assertEquals(true, SettingType.BOOLEAN.parse("k", "yes"));
        assertThrows(ConfigException.class, () -> SettingType.BOOLEAN.parse("k", "maybe"));
    }

    @Test
    void overridesKeepEarlierSourcesAndRevalidate() {
        GrnConfig base = ConfigLoader.load(definition(), Map.of(), Map.of("GRN_MODEL_DIR", "/env"), Map.of("workers", "3"));
        GrnConfig changed = base.with(Map.of("topic.prefix", "x."));
        assertEquals("/env", changed.get(MODEL));
        assertEquals(3, changed.get(WORKERS));
        assertEquals("x.", changed.get(CommonSettings.TOPIC_PREFIX));
        assertThrows(ConfigException.class, () -> base.with(Map.of("workers", "0")));
    }

    @Test
    void strayPositionalArgumentIsAnError() {
        assertThrows(ConfigException.class, () -> ConfigLoader.parseFlags(new String[] {"oops"}));
    }
}
