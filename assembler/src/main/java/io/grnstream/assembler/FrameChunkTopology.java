package io.grnstream.assembler;

import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobStore;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

/**
 * frames (raw bytes, decoded in the processor so bad records can be dead-lettered untouched) and
 * control (cancels) -> assembler (state store of chunk references) -> videos, events, dlq.
 */
public final class FrameChunkTopology {
    static final String SOURCE = "frames-source";
    static final String CONTROL_SOURCE = "control-source";
    static final String PROCESSOR = "frame-chunk-assembler";
    static final String TO_VIDEOS = "videos-sink";
    static final String TO_EVENTS = "events-sink";
    static final String TO_DLQ = "dlq-sink";

    private FrameChunkTopology() {
    }

    static Topology build(TopicRegistry topics, BlobStore blobs, AssemblerOptions options, AssemblerMetrics metrics) {
        Topic<FrameChunk> frames = topics.topic(Topics.FRAMES);
        Topic<VideoReady> videos = topics.topic(Topics.VIDEOS);
        Topic<RequestEvent> events = topics.topic(Topics.EVENTS);
        Topic<DeadLetter> dlq = topics.topic(Topics.DLQ);
        Topology topology = new Topology();
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), frames.name());
        // Keyed by request id like the frames topic and with as many partitions, so a request's
        // cancel reaches the task that holds its chunks.
        topology.addSource(CONTROL_SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), control.name());
        topology.addProcessor(PROCESSOR, () -> new FrameChunkAssembler(frames, control, blobs, options, metrics), SOURCE,
                CONTROL_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(FrameChunkAssembler.STORE),
                Serdes.String(), new AssemblyStateSerde()), PROCESSOR);
        topology.addSink(TO_VIDEOS, videos.name(), Serdes.String().serializer(), videos.valueSerde().serializer(), PROCESSOR);
        topology.addSink(TO_EVENTS, events.name(), Serdes.String().serializer(), events.valueSerde().serializer(), PROCESSOR);
        topology.addSink(TO_DLQ, dlq.name(), Serdes.String().serializer(), dlq.valueSerde().serializer(), PROCESSOR);
        return topology;
    }
}
