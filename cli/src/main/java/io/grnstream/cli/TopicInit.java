package io.grnstream.cli;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigException;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.registry.SchemaRegistries;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/** Creates the pipeline's topics with their designed settings and exits: the compose and Kubernetes init job. */
public final class TopicInit {
    private TopicInit() {
    }

    public static void main(String[] args) {
        try {
            GrnConfig config = ConfigLoader.load(CommonSettings.definition("topic-init"), args, System.getenv());
            try (Admin admin = KafkaClients.admin(config)) {
                List<String> created = TopicProvisioner.ensureTopics(admin,
                        new TopicRegistry(config, SchemaRegistries.fromConfig(config)), config, Duration.ofMinutes(2));
                System.out.println("topic-init: created " + created + "; the others already existed");
            }
        } catch (ConfigException e) {
            System.err.println("topic-init: " + e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("topic-init: " + e.getMessage());
            System.exit(1);
        }
    }
}
