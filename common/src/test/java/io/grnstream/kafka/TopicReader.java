package io.grnstream.kafka;

import io.grnstream.config.GrnConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/** Test fixture: the read_committed records of a topic, from its start, until a condition holds or time is up. */
public final class TopicReader {
    private TopicReader() {
    }

    public static <V extends SpecificRecord> List<V> readUntil(GrnConfig config, TopicRegistry topics, TopicDef<V> def,
                                                              Predicate<List<V>> done, Duration max) {
        Topic<V> topic = topics.topic(def);
        List<V> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = KafkaClients.bytesConsumer(
                KafkaClients.consumerProperties(config, "reader-" + UUID.randomUUID(), "reader"))) {
            consumer.subscribe(List.of(topic.name()));
            long deadline = System.nanoTime() + max.toNanos();
            while (!done.test(out) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> out.add(topic.value(r)));
            }
        }
        return out;
    }
}
