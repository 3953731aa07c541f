package io.grnstream.stage;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every Kafka Streams stage does to start, and how it reports its health. */
public final class StreamsStages {
    private static final Logger log = LoggerFactory.getLogger(StreamsStages.class);

    private StreamsStages() {
    }

    /**
     * Starts the application and returns once it is RUNNING. A failed stream thread is replaced
     * (its task's transaction was aborted or its records not committed, so nothing is lost); on a
     * timeout or an interrupt the application is closed and the error names the stage.
     */
    public static void startAndAwaitRunning(KafkaStreams streams, String stage, Duration timeout) {
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
            log.info("{} {} -> {}", stage, before, now);
        });
        streams.setUncaughtExceptionHandler(e -> {
            log.error("{} stream thread failed; replacing it", stage, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        try {
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                streams.close(Duration.ofSeconds(30));
                throw new IllegalStateException(stage + " did not reach RUNNING within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            streams.close(Duration.ofSeconds(30));
            throw new IllegalStateException("interrupted while starting " + stage, e);
        }
    }

    /**
     * The properties every Kafka Streams stage shares, then the stage's own, then any
     * {@code kafka.*} pass-through (which wins). With an {@code instance.id} the main consumer is a
     * static member: an instance restarted under the same id takes its tasks back at once instead
     * of the group waiting out the old member's session.
     */
    public static Properties properties(GrnConfig config, String applicationId, String stateDir, String clientId,
                                        String instanceId, Map<String, Object> stageOwn) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(CommonSettings.BOOTSTRAP_SERVERS));
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.get(CommonSettings.TOPIC_REPLICATION_FACTOR));
        props.put(StreamsConfig.CLIENT_ID_CONFIG, clientId);
        if (!config.get(CommonSettings.INSTANCE_ID).isBlank()) {
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        props.putAll(stageOwn);
        props.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        return props;
    }

    /** Ready while running or moving tasks between instances. */
    public static boolean isReady(KafkaStreams streams) {
        return streams != null
                && (streams.state() == KafkaStreams.State.RUNNING || streams.state() == KafkaStreams.State.REBALANCING);
    }

    /**
     * Closes it leaving the group, so that its partitions move at once instead of after the session
     * timeout; the local state is rebuilt from changelogs wherever they land.
     */
    public static void close(KafkaStreams streams, Duration timeout) {
        if (streams != null) {
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(timeout));
        }
    }

    /** False once the application has failed for good. */
    public static boolean isLive(KafkaStreams streams) {
        return streams == null
                || (streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.PENDING_ERROR);
    }
}
