package io.grnstream.assembler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.FrameEncoding;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobStore;
import io.grnstream.blob.BlobStores;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.TopicReader;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The assembler as it runs in production: a real broker, exactly-once Streams, the real muxer. */
class AssemblerServiceTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();

    @TempDir
    Path dir;
    private GrnConfig config;
    private TopicRegistry topics;
    private final List<AssemblerService> running = new ArrayList<>();

    @BeforeEach
    void provision() {
        config = ConfigLoader.fromMap(AssemblerSettings.definition(), Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", "2",
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "blob.store.uri", dir.resolve("blobs").toUri().toString(),
                "assembler.application.id", "assembler-" + UUID.randomUUID(),
                "assembler.state.dir", dir.resolve("state-a").toString(),
                "instance.id", "assembler-it"));
        topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
        }
    }

    @AfterEach
    void stopAll() {
        running.forEach(AssemblerService::close);
    }

    private AssemblerService start(GrnConfig cfg) {
        AssemblerService service = new AssemblerService(cfg, new SimpleMeterRegistry());
        running.add(service);
        service.start();
        assertTrue(service.isReady());
        return service;
    }

    private void send(String id, int first, int last, int total) {
        Topic<FrameChunk> frames = topics.topic(Topics.FRAMES);
        FrameChunk chunk = FrameChunk.newBuilder().setRequestId(id).setFirstFrame(first).setLastFrame(last)
                .setTotalFrames(total).setWidth(64).setHeight(64).setFps(8).setEncoding(FrameEncoding.RGB24)
                .setInlineBytes(ByteBuffer.wrap(TestFrames.frames(first, last, 64, 64)))
                .setProvenance(Provenance.newBuilder().setRequestId(id).setModelId("m").setModelBundleSha256("00")
                        .setSeed(1).setGuidanceScale(4).setTemperature(1).setStepPolicy("fixed(20)").setStepsUsed(20)
                        .setHbqRounds(4).build())
                .build();
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                KafkaClients.producerProperties(config, "test-encoder"))) {
            producer.send(frames.record(id, chunk));
        }
    }


    @Test
    void framesBecomeOneFaststartH264Mp4() throws Exception {
        start(config);
        send("v1", 0, 0, 17);
        send("v1", 1, 8, 17);
        send("v1", 9, 16, 17);

        List<VideoReady> videos = TopicReader.readUntil(config, topics, Topics.VIDEOS, l -> !l.isEmpty(), Duration.ofSeconds(60));
        assertEquals(1, videos.size());
        VideoReady v = videos.get(0);
        assertEquals(256, v.getWidth(), "64 px frames enlarged 4x by default");
        try (BlobStore blobs = BlobStores.fromConfig(config)) {
            Path mp4 = dir.resolve("out.mp4");
            Files.write(mp4, blobs.read(v.getUri()));
            Ffprobe.Stream s = Ffprobe.probe(mp4);
            assertEquals("h264", s.codec());
            assertEquals("yuv420p", s.pixelFormat());
            assertEquals(17, s.frames());
            assertEquals(17 / 8.0, s.durationSeconds(), 1e-3);
            assertEquals(256, s.width());
            List<String> boxes = Ffprobe.topLevelBoxes(mp4);
            assertTrue(boxes.indexOf("moov") < boxes.indexOf("mdat"), boxes.toString());
        }
        List<RequestEvent> events = TopicReader.readUntil(config, topics, Topics.EVENTS, l -> l.stream().anyMatch(e -> e.getStatus() == RequestStatus.COMPLETED), Duration.ofSeconds(30));
        assertEquals(RequestStatus.COMPLETED, events.get(events.size() - 1).getStatus());
    }

    @Test
    void restartMidRequestOnFreshLocalStateStillYieldsExactlyOneVideo() {
        AssemblerService first = start(config);
        send("v2", 0, 0, 9);
        send("v2", 1, 4, 9);
        TopicReader.readUntil(config, topics, Topics.EVENTS, l -> !l.isEmpty(), Duration.ofSeconds(60));
        first.close();

        // A new instance with an empty state directory must rebuild the request from the changelog.
        Map<String, String> moved = new HashMap<>(Map.of("assembler.state.dir", dir.resolve("state-b").toString()));
        AssemblerService second = start(config.with(moved));
        send("v2", 1, 4, 9);   // redelivered by an upstream retry
        send("v2", 5, 8, 9);

        List<VideoReady> videos = TopicReader.readUntil(config, topics, Topics.VIDEOS, l -> false, Duration.ofSeconds(15));
        assertEquals(1, videos.size(), "exactly one VideoReady");
        assertEquals(9, videos.get(0).getFrames());
        second.close();
    }
}
