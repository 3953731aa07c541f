package io.grnstream.assembler;

import io.grnstream.blob.BlobStore;
import io.grnstream.blob.BlobStores;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.stage.InstanceIds;
import io.grnstream.stage.Stage;
import io.grnstream.stage.StreamsStages;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;

/** The assembler as a {@link Stage}: a Kafka Streams application with exactly-once processing. */
public final class AssemblerService implements Stage {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final GrnConfig config;
    private final MeterRegistry meters;
    private final String instanceId;
    private BlobStore blobs;
    private KafkaStreams streams;

    public AssemblerService(GrnConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.instanceId = InstanceIds.resolve(config, "assembler");
    }

    @Override
    public String name() {
        return "assembler";
    }

    /** The Streams topology this service runs (for tests and documentation). */
    public Topology topology() {
        if (blobs == null) {
            blobs = BlobStores.fromConfig(config);
        }
        return FrameChunkTopology.build(new TopicRegistry(config, SchemaRegistries.fromConfig(config)), blobs,
                AssemblerOptions.from(config, instanceId), new AssemblerMetrics(meters));
    }

    @Override
    public synchronized void start() {
        Mp4Muxer.requireEncoder(config.get(AssemblerSettings.H264_ENCODER));
        streams = new KafkaStreams(topology(), streamsProperties(config, instanceId));
        try {
            StreamsStages.startAndAwaitRunning(streams, "assembler", START_TIMEOUT);
        } catch (RuntimeException e) {
            streams = null;
            close();
            throw e;
        }
    }

    static Properties streamsProperties(GrnConfig config, String instanceId) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, config.get(AssemblerSettings.APPLICATION_ID));
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(CommonSettings.BOOTSTRAP_SERVERS));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, config.get(AssemblerSettings.STATE_DIR));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(AssemblerSettings.STREAM_THREADS));
        props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, config.get(CommonSettings.TOPIC_REPLICATION_FACTOR));
        props.put(StreamsConfig.CLIENT_ID_CONFIG, "assembler-" + instanceId);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.largestMessageBytes());
        if (!config.get(CommonSettings.INSTANCE_ID).isBlank()) {
            // Static membership: an assembler restarted after a crash under the same instance.id takes
            // its tasks back at once, instead of the group waiting out the dead member's session.
            props.put(StreamsConfig.mainConsumerPrefix(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG), instanceId);
        }
        props.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        return props;
    }

    @Override
    public boolean isReady() {
        KafkaStreams s = streams;
        return s != null && (s.state() == KafkaStreams.State.RUNNING || s.state() == KafkaStreams.State.REBALANCING);
    }

    @Override
    public boolean isLive() {
        return StreamsStages.isLive(streams);
    }

    /** Stops after the current video: its transaction commits or aborts, so nothing is half-published. */
    @Override
    public synchronized void close() {
        if (streams != null) {
            // Leaving the group hands this instance's partitions over at once instead of after the
            // session timeout; the local state is rebuilt from the changelog wherever they land.
            streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                    .withTimeout(Duration.ofSeconds(60)));
            streams = null;
        }
        if (blobs != null) {
            blobs.close();
            blobs = null;
        }
    }
}
