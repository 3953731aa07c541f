package io.grnstream.assembler;

import io.grnstream.blob.BlobStore;
import io.grnstream.blob.BlobStores;
import io.grnstream.config.GrnConfig;
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
import org.apache.kafka.clients.producer.ProducerConfig;
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
        return StreamsStages.properties(config, config.get(AssemblerSettings.APPLICATION_ID),
                config.get(AssemblerSettings.STATE_DIR), "assembler-" + instanceId, instanceId, Map.of(
                        StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2,
                        StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(AssemblerSettings.STREAM_THREADS),
                        StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.get(AssemblerSettings.COMMIT_INTERVAL).toMillis(),
                        StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG), Topics.largestMessageBytes()));
    }

    @Override
    public boolean isReady() {
        return StreamsStages.isReady(streams);
    }

    @Override
    public boolean isLive() {
        return StreamsStages.isLive(streams);
    }

    /** Stops after the current video: its transaction commits or aborts, so nothing is half-published. */
    @Override
    public synchronized void close() {
        StreamsStages.close(streams, Duration.ofSeconds(60));
        streams = null;
        if (blobs != null) {
            blobs.close();
            blobs = null;
        }
    }
}
