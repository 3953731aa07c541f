package io.grnstream.kafka;

import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.config.GrnConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted control topic from its start, on a thread of its own, and remembers every
 * cancelled request: a stage asks before each unit of work whether its request was cancelled, and
 * may be told at once through a callback. Plain assigned consumer, no group, so every instance of
 * every stage sees every cancel.
 */
public final class CancelFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CancelFollower.class);

    private final Map<String, String> cancelled = new ConcurrentHashMap<>();
    private final GrnConfig config;
    private final Topic<ControlCommand> control;
    private final String clientId;
    private final BiConsumer<String, String> onCancel;
    private volatile boolean running = true;
    private final Thread thread;

    /** {@code onCancel} gets (requestId, reason) on the follower's thread; keep it quick. */
    public CancelFollower(GrnConfig config, Topic<ControlCommand> control, String clientId,
                          BiConsumer<String, String> onCancel) {
        this.config = config;
        this.control = control;
        this.clientId = clientId;
        this.onCancel = onCancel;
        this.thread = new Thread(this::follow, clientId);
        this.thread.setDaemon(true);
    }

    public CancelFollower start() {
        thread.start();
        return this;
    }

    /** Why the request was cancelled, if it was. */
    public Optional<String> reason(String requestId) {
        return Optional.ofNullable(cancelled.get(requestId));
    }

    private void follow() {
        Map<String, Object> props = KafkaClients.consumerProperties(config, "unused", clientId);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        try (KafkaConsumer<byte[], byte[]> c = KafkaClients.bytesConsumer(props)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : c.partitionsFor(control.name())) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : c.poll(Duration.ofMillis(200))) {
                    try {
                        ControlCommand command = control.value(record);
                        if (command != null && command.getAction() == ControlAction.CANCEL) {
                            String reason = command.getReason() == null ? "cancelled" : command.getReason();
                            cancelled.put(command.getRequestId(), reason);
                            onCancel.accept(command.getRequestId(), reason);
                        }
                    } catch (RuntimeException e) {
                        log.warn("ignoring unreadable control record at {}-{}@{}: {}", record.topic(), record.partition(),
                                record.offset(), e.toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            if (running) {
                log.error("control topic reader stopped", e);
            }
        }
    }

    @Override
    public void close() {
        running = false;
    }
}
