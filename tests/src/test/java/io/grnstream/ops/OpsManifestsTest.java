package io.grnstream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.assembler.AssemblerSettings;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.encoder.DecoderSettings;
import io.grnstream.kafka.Topics;
import io.grnstream.refiner.RefinerSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Docker is not available on our build machines, so the deployment files are checked statically:
 * everything they name (stages, entry points, settings, ports, topics, groups, metrics, files) must
 * exist in the code and the repository.
 */
class OpsManifestsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Map<String, ConfigDefinition> STAGES = Map.of(
            "refiner", RefinerSettings.definition(),
            "encoder", DecoderSettings.definition(),
            "assembler", AssemblerSettings.definition(),
            "status", io.grnstream.status.StatusSettings.definition(),
            "notifier", io.grnstream.notifier.NotifierSettings.definition());
    private static final String OPS_PORT = Integer.toString(CommonSettings.OPS_HTTP_PORT.defaultValue());

    /** Duplicate keys are errors: YAML would otherwise keep the last one silently. */
    private static LoaderOptions strict() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        return options;
    }

    private static Object yaml(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new Yaml(strict()).load(in);
        }
    }

    private static List<Object> yamlDocuments(Path file) throws IOException {
        List<Object> docs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            new Yaml(strict()).loadAll(in).forEach(docs::add);
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    /** GRN_* variables a stage understands: its settings and the kafka.* pass-through. */
    private static boolean understood(ConfigDefinition definition, String variable) {
        if (variable.equals("GRN_CONFIG") || variable.startsWith("GRN_KAFKA_")) {
            return true;
        }
        return definition.settings().stream().map(Setting::environmentVariable).anyMatch(variable::equals);
    }

    @Test
    void composeServicesRunRealStagesWithSettingsTheyUnderstand() throws Exception {
        Map<String, Object> compose = map(yaml(ROOT.resolve("docker-compose.yml")));
        Map<String, Object> services = map(compose.get("services"));
        Set<String> stagesSeen = new HashSet<>();
        for (Map.Entry<String, Object> e : services.entrySet()) {
            Map<String, Object> service = map(e.getValue());
            String image = String.valueOf(service.get("image"));
            if (!image.startsWith("grn-stream:")) {
                continue;
            }
            Map<String, Object> build = map(service.get("build"));
            assertTrue(Files.exists(ROOT.resolve(String.valueOf(build.get("dockerfile")))), e.getKey() + " dockerfile");
            Map<String, Object> env = map(service.get("environment"));
            ConfigDefinition definition;
            if (service.containsKey("command")) {
                String stage = String.valueOf(list(service.get("command")).get(0));
                assertTrue(STAGES.containsKey(stage), e.getKey() + " runs unknown stage " + stage);
                stagesSeen.add(stage);
                definition = STAGES.get(stage);
            } else {
                List<Object> entrypoint = list(service.get("entrypoint"));
                String mainClass = String.valueOf(entrypoint.get(entrypoint.size() - 1));
                Class.forName(mainClass);
                definition = CommonSettings.definition("topic-init");
            }
            for (String variable : env.keySet()) {
                assertTrue(understood(definition, variable), e.getKey() + " sets " + variable + ", which no setting reads");
            }
            assertEquals(OPS_PORT, String.valueOf(env.getOrDefault("GRN_OPS_HTTP_PORT", OPS_PORT)));
        }
        assertEquals(STAGES.keySet(), stagesSeen, "compose runs every stage");
    }

    @Test
    void kubernetesWorkloadsRunRealStagesWithSettingsTheyUnderstand() throws Exception {
        Set<String> stagesSeen = new HashSet<>();
        Map<String, String> configMap = null;
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("ops/k8s"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        for (Path file : files) {
            for (Object doc : yamlDocuments(file)) {
                Map<String, Object> m = map(doc);
                if ("ConfigMap".equals(m.get("kind"))) {
                    @SuppressWarnings("unchecked")
                    Map<String, String> data = (Map<String, String>) m.get("data");
                    configMap = data;
                }
            }
        }
        assertTrue(configMap != null, "a shared ConfigMap");
        for (String variable : configMap.keySet()) {
            assertTrue(understood(CommonSettings.definition("shared"), variable), "ConfigMap sets unknown " + variable);
        }
        assertEquals(OPS_PORT, configMap.get("GRN_OPS_HTTP_PORT"));
        int partitions = Integer.parseInt(configMap.get("GRN_TOPIC_PARTITIONS"));
        for (Path file : files) {
            for (Object doc : yamlDocuments(file)) {
                Map<String, Object> m = map(doc);
                String kind = String.valueOf(m.get("kind"));
                if (kind.equals("Deployment") || kind.equals("StatefulSet")) {
                    Map<String, Object> pod = map(map(map(m.get("spec")).get("template")).get("spec"));
                    for (Object c : list(pod.get("containers"))) {
                        Map<String, Object> container = map(c);
                        String stage = String.valueOf(list(container.get("args")).get(0));
                        assertTrue(STAGES.containsKey(stage), file + " runs unknown stage " + stage);
                        stagesSeen.add(stage);
                        for (Object env : list(container.get("env"))) {
                            String name = String.valueOf(map(env).get("name"));
                            assertTrue(understood(STAGES.get(stage), name), file + " sets " + name + ", which no setting reads");
                        }
                        assertEquals(Integer.parseInt(OPS_PORT), map(list(container.get("ports")).get(0)).get("containerPort"));
                        assertEquals("/health/ready", map(map(container.get("readinessProbe")).get("httpGet")).get("path"));
                        if (stage.equals("refiner")) {
                            Map<String, Object> preStop = map(map(container.get("lifecycle")).get("preStop"));
                            assertEquals("/drain", map(preStop.get("httpGet")).get("path"));
                            int grace = (Integer) pod.get("terminationGracePeriodSeconds");
                            assertTrue(grace > 600, "grace period longer than the drain timeout");
                        }
                    }
                }
                if (kind.equals("ScaledObject")) {
                    Map<String, Object> spec = map(m.get("spec"));
                    Map<String, Object> trigger = map(map(list(spec.get("triggers")).get(0)).get("metadata"));
                    assertEquals(RefinerSettings.GROUP_ID.defaultValue(), trigger.get("consumerGroup"));
                    assertEquals(CommonSettings.TOPIC_PREFIX.defaultValue() + Topics.REQUESTS.suffix(), trigger.get("topic"));
                    int maxReplicas = (Integer) spec.get("maxReplicaCount");
                    assertTrue(partitions >= 2 * maxReplicas, "partitions at least 2x the most refiner replicas");
                }
            }
        }
        assertEquals(STAGES.keySet(), stagesSeen, "Kubernetes runs every stage");
    }

    @Test
    void everyMetricTheDashboardsAndAlertsQueryIsRegisteredByAStage() throws Exception {
        String queries = Files.readString(ROOT.resolve("ops/grafana/dashboards/grn-stream.json"))
                + Files.readString(ROOT.resolve("ops/prometheus/alerts.yml"));
        StringBuilder sources = new StringBuilder();
        try (Stream<Path> s = Files.walk(ROOT)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".java") && p.toString().contains("src/main")).toList()) {
                sources.append(Files.readString(p));
            }
        }
        Matcher m = Pattern.compile("grn_[a-z_]+").matcher(queries);
        Set<String> checked = new HashSet<>();
        while (m.find()) {
            String metric = m.group().replaceAll("_(bucket|sum|count|total|seconds|max)$", "")
                    .replaceAll("_(bucket|sum|count|total|seconds|max)$", "");
            if (checked.add(metric)) {
                assertTrue(sources.indexOf("\"" + metric.replace('_', '.') + "\"") >= 0,
                        "no stage registers " + metric.replace('_', '.') + " (queried as " + m.group() + ")");
            }
        }
        assertTrue(checked.size() >= 10, "checked " + checked);
    }
}
