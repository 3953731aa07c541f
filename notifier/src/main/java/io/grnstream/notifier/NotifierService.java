package io.grnstream.notifier;

import io.grnstream.avro.DeadLetter;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.stage.InstanceIds;
import io.grnstream.stage.Stage;
import io.grnstream.stage.StreamsStages;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * The notifier as a {@link Stage}: calls a request's webhook ({@code grn.webhook.url} in its
 * client metadata) when its video is ready or it ends without one. A Kafka Streams application
 * over the requests, videos and events topics (all keyed by request id, so co-partitioned).
 */
public final class NotifierService implements Stage {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final GrnConfig config;
    private final MeterRegistry meters;
    private final String instanceId;
    private volatile KafkaStreams streams;

    public NotifierService(GrnConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.instanceId = InstanceIds.resolve(config, "notifier");
    }

    @Override
    public String name() {
        return "notifier";
    }

    static Topology topology(TopicRegistry topics, NotifierOptions options, NotifierMetrics metrics) {
        Topic<DeadLetter> dlq = topics.topic(Topics.DLQ);
        Topology t = new Topology();
        t.addSource("requests-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.topic(Topics.REQUESTS).name());
        t.addSource("videos-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.topic(Topics.VIDEOS).name());
        t.addSource("events-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.topic(Topics.EVENTS).name());
        t.addProcessor("webhooks", () -> new WebhookProcessor(topics.topic(Topics.REQUESTS), topics.topic(Topics.VIDEOS),
                topics.topic(Topics.EVENTS), options, metrics), "requests-source", "videos-source", "events-source");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WebhookProcessor.HOOKS),
                Serdes.String(), JsonSerde.of(Hook.class)), "webhooks");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(WebhookProcessor.DELIVERIES),
                Serdes.String(), JsonSerde.of(Delivery.class)), "webhooks");
        t.addSink("dlq-sink", dlq.name(), Serdes.String().serializer(), dlq.valueSerde().serializer(), "webhooks");
        return t;
    }

    @Override
    public synchronized void start() {
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        KafkaStreams s = new KafkaStreams(topology(topics, NotifierOptions.from(config), new NotifierMetrics(meters)),
                streamsProperties(config, instanceId));
        StreamsStages.startAndAwaitRunning(s, "notifier", START_TIMEOUT);
        streams = s;
    }

    static Properties streamsProperties(GrnConfig config, String instanceId) {
        return StreamsStages.properties(config, config.get(NotifierSettings.APPLICATION_ID),
                config.get(NotifierSettings.STATE_DIR), "notifier-" + instanceId, instanceId, Map.of(
                        // Only committed outputs of the stages: a video whose transaction aborted is never announced.
                        StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed",
                        StreamsConfig.mainConsumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG),
                        config.get(NotifierSettings.START_FROM)));
    }

    @Override
    public boolean isReady() {
        return StreamsStages.isReady(streams);
    }

    @Override
    public boolean isLive() {
        return StreamsStages.isLive(streams);
    }

    @Override
    public synchronized void close() {
        StreamsStages.close(streams, Duration.ofSeconds(30));
        streams = null;
    }
}
