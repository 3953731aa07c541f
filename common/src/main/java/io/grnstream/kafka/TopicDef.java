package io.grnstream.kafka;

import io.grnstream.config.GrnConfig;
import io.grnstream.config.Setting;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The design of one topic: its name after the configured prefix, the Avro type of its values and
 * the topic-level settings it is created with. Instances live in {@link Topics} only.
 *
 * @param suffix          name after {@code topic.prefix}, e.g. {@code requests}
 * @param valueType       generated Avro class of record values
 * @param cleanupPolicy   {@code delete}, {@code compact} or {@code compact,delete}
 * @param retention       fixed retention, or null to use {@code retentionSetting} (or the broker default)
 * @param retentionSetting setting that overrides retention, or null
 * @param maxMessageBytes topic {@code max.message.bytes}
 */
public record TopicDef<V extends SpecificRecord>(String suffix, Class<V> valueType, String cleanupPolicy,
                                                Duration retention, Setting<Duration> retentionSetting,
                                                int maxMessageBytes) {

    /** Topic-level configuration the provisioner applies. */
    public Map<String, String> topicConfigs(GrnConfig config) {
        Map<String, String> configs = new LinkedHashMap<>();
        configs.put("cleanup.policy", cleanupPolicy);
        Duration effectiveRetention = retentionSetting != null ? config.get(retentionSetting) : retention;
        if (effectiveRetention != null) {
            configs.put("retention.ms", Long.toString(effectiveRetention.toMillis()));
        }
        configs.put("max.message.bytes", Integer.toString(maxMessageBytes));
        return configs;
    }
}
