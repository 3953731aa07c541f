package io.grnstream.kafka;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics with the partitions, retention, compaction and message sizes the
 * design needs. Idempotent; existing topics are left alone but checked, with a warning when they
 * have fewer partitions than configured (that caps how many workers can share the load).
 */
public final class TopicProvisioner {
    private static final Logger log = LoggerFactory.getLogger(TopicProvisioner.class);

    private TopicProvisioner() {
    }

    /** Returns the names of the topics it created. */
    public static List<String> ensureTopics(Admin admin, TopicRegistry registry, GrnConfig config, Duration timeout) {
        int partitions = config.get(CommonSettings.TOPIC_PARTITIONS);
        short replication = config.get(CommonSettings.TOPIC_REPLICATION_FACTOR).shortValue();
        String minIsr = Integer.toString(config.get(CommonSettings.TOPIC_MIN_INSYNC_REPLICAS));
        try {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            List<String> present = new ArrayList<>();
            for (Topic<?> topic : registry.all()) {
                if (existing.contains(topic.name())) {
                    present.add(topic.name());
                    continue;
                }
                Map<String, String> configs = new java.util.LinkedHashMap<>(topic.definition().topicConfigs(config));
                configs.put("min.insync.replicas", minIsr);
                missing.add(new NewTopic(topic.name(), partitions, replication).configs(configs));
            }
            List<String> created = new ArrayList<>();
            for (Map.Entry<String, org.apache.kafka.common.KafkaFuture<Void>> e : admin.createTopics(missing).values().entrySet()) {
                try {
                    e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(e.getKey());
                } catch (ExecutionException ex) {
                    if (!(ex.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause(), ex.getCause());
                    }
                }
            }
            if (!present.isEmpty()) {
                warnAboutPartitions(admin, present, partitions, timeout);
            }
            if (!created.isEmpty()) {
                log.info("Created topics {} ({} partitions, replication {})", created, partitions, replication);
            }
            return created;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while provisioning topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot list or create topics: " + e, e);
        }
    }

    private static void warnAboutPartitions(Admin admin, List<String> names, int wanted, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, TopicDescription> descriptions =
                admin.describeTopics(names).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        descriptions.forEach((name, d) -> {
            if (d.partitions().size() < wanted) {
                log.warn("Topic {} has {} partitions, fewer than topic.partitions={}: at most {} workers can share it",
                        name, d.partitions().size(), wanted, d.partitions().size());
            }
        });
    }
}
