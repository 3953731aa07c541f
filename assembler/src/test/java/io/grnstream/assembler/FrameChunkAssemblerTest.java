package io.grnstream.assembler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.BlobRef;
import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.FrameEncoding;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobKeys;
import io.grnstream.blob.BlobStore;
import io.grnstream.blob.LocalBlobStore;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FrameChunkAssemblerTest {
    private static final int W = 16;
    private static final int H = 16;
    private static final int FPS = 8;

    @TempDir
    Path dir;
    private BlobStore blobs;
    private TopologyTestDriver driver;
    private Topic<FrameChunk> frames;
    private TestInputTopic<String, FrameChunk> in;
    private TestInputTopic<byte[], byte[]> rawIn;
    private TestOutputTopic<String, VideoReady> videos;
    private TestOutputTopic<String, RequestEvent> events;
    private TestOutputTopic<String, DeadLetter> dlq;
    private TestInputTopic<String, ControlCommand> controlIn;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        GrnConfig config = ConfigLoader.fromMap(AssemblerSettings.definition(), Map.of(
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "assembler.display.min.side", "0",
                "assembler.chunk.timeout", "60s",
                "assembler.sweep.interval", "5s",
                "assembler.frame.blob.grace", "2m",
                "assembler.finished.retention", "10m",
                "instance.id", "assembler-test"));
        blobs = new LocalBlobStore(dir.resolve("blobs"));
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "assembler-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state").toString());
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        driver = new TopologyTestDriver(FrameChunkTopology.build(topics, blobs,
                AssemblerOptions.from(config, "assembler-test"), new AssemblerMetrics(meters)), props);
        frames = topics.topic(Topics.FRAMES);
        in = driver.createInputTopic(frames.name(), Serdes.String().serializer(), frames.valueSerde().serializer());
        rawIn = driver.createInputTopic(frames.name(), new ByteArraySerializer(), new ByteArraySerializer());
        videos = output(topics.topic(Topics.VIDEOS));
        events = output(topics.topic(Topics.EVENTS));
        dlq = output(topics.topic(Topics.DLQ));
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        controlIn = driver.createInputTopic(control.name(), Serdes.String().serializer(), control.valueSerde().serializer());
    }

    private <V extends org.apache.avro.specific.SpecificRecord> TestOutputTopic<String, V> output(Topic<V> topic) {
        return driver.createOutputTopic(topic.name(), Serdes.String().deserializer(), topic.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static Provenance provenance(String id) {
        return Provenance.newBuilder().setRequestId(id).setModelId("grn-tiny-shapes").setModelBundleSha256("00")
                .setSeed(7).setGuidanceScale(4).setTemperature(1).setStepPolicy("fixed(20)").setStepsUsed(20)
                .setHbqRounds(4).setWorkers(Map.of("refiner-workers", "w1")).build();
    }

    private static FrameChunk.Builder chunk(String id, int first, int last, int total) {
        return FrameChunk.newBuilder().setRequestId(id).setFirstFrame(first).setLastFrame(last).setTotalFrames(total)
                .setWidth(W).setHeight(H).setFps(FPS).setEncoding(FrameEncoding.RGB24)
                .setInlineBytes(ByteBuffer.wrap(TestFrames.frames(first, last, W, H)))
                .setProvenance(provenance(id)).setClientMetadata(Map.of("team", "ads"));
    }

    private void send(String id, int first, int last, int total) {
        in.pipeInput(id, chunk(id, first, last, total).build());
    }

    private List<RequestStatus> statuses(List<RequestEvent> list) {
        return list.stream().map(RequestEvent::getStatus).toList();
    }

    @Test
    void outOfOrderChunksMakeOneCompleteVideo() throws Exception {
        send("r1", 5, 8, 9);
        send("r1", 0, 0, 9);
        assertTrue(videos.isEmpty());
        send("r1", 1, 4, 9);

        List<VideoReady> out = videos.readValuesToList();
        assertEquals(1, out.size());
        VideoReady v = out.get(0);
        assertEquals(9, v.getFrames());
        assertEquals(9 / 8.0, v.getDurationSeconds());
        assertEquals("h264", v.getCodec());
        assertEquals(Map.of("refiner-workers", "w1", "assembler", "assembler-test"), v.getProvenance().getWorkers());
        assertEquals(Map.of("team", "ads"), v.getClientMetadata());
        byte[] stored = blobs.read(v.getUri());
        assertTrue(v.getUri().endsWith(BlobKeys.video("r1")), v.getUri());
        assertEquals(stored.length, v.getSizeBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(stored)), v.getSha256());
        byte[] inline = new byte[v.getInlineBytes().remaining()];
        v.getInlineBytes().duplicate().get(inline);
        assertArrayEquals(stored, inline);
        assertEquals(List.of(RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED), statuses(events.readValuesToList()));
        assertTrue(dlq.isEmpty());
    }

    @Test
    void duplicateChunksAndReRunsNeverMakeASecondVideo() {
        send("r2", 0, 0, 5);
        send("r2", 0, 0, 5);
        send("r2", 1, 4, 5);
        send("r2", 1, 4, 5);
        send("r2", 0, 0, 5);
        assertEquals(1, videos.readValuesToList().size());
        assertTrue(dlq.isEmpty());
        assertEquals(3.0, meters.counter("grn.assembler.duplicate.chunks").count());
    }

    private void cancel(String id) {
        controlIn.pipeInput(id, ControlCommand.newBuilder().setRequestId(id).setAction(ControlAction.CANCEL)
                .setReason("user asked").setIssuedAtEpochMs(1).build());
    }

    @Test
    void aCancelWhileChunksArriveEndsTheRequestCancelledNotTimedOut() {
        send("c1", 0, 0, 9);
        send("c1", 1, 4, 9);
        cancel("c1");
        send("c1", 5, 8, 9);   // sent by a decoder that had not seen the cancel yet
        driver.advanceWallClockTime(Duration.ofSeconds(61));

        List<RequestEvent> ev = events.readValuesToList();
        assertEquals(List.of(RequestStatus.IN_PROGRESS, RequestStatus.CANCELLED), statuses(ev));
        assertEquals(ErrorType.CANCELLED, ev.get(1).getError().getType());
        assertTrue(ev.get(1).getError().getMessage().startsWith("user asked (after 5 of 9 frames)"),
                ev.get(1).getError().getMessage());
        assertTrue(videos.isEmpty(), "no video for a cancelled request");
        assertTrue(dlq.isEmpty(), "a cancel is not a failure");
        assertEquals(1.0, meters.counter("grn.assembler.cancelled").count());
        Path framesDir = ((LocalBlobStore) blobs).root().resolve("c1").resolve("frames");
        assertTrue(Files.isDirectory(framesDir));
        driver.advanceWallClockTime(Duration.ofMinutes(3));
        assertFalse(Files.exists(framesDir), "its frame blobs are deleted after the grace period");
    }

    @Test
    void aCancelBeforeAnyChunkDropsTheChunksSilentlyAndOneAfterTheVideoChangesNothing() {
        cancel("c2");
        send("c2", 0, 4, 5);
        assertTrue(videos.isEmpty());
        assertTrue(events.isEmpty(), "the stage that held the request when the cancel came reports it");

        send("c3", 0, 4, 5);
        assertEquals(1, videos.readValuesToList().size());
        cancel("c3");
        assertEquals(List.of(RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED), statuses(events.readValuesToList()));
    }

    @Test
    void missingChunkTimesTheRequestOut() {
        send("r3", 0, 0, 9);
        send("r3", 5, 8, 9);
        driver.advanceWallClockTime(Duration.ofSeconds(61));

        List<RequestEvent> ev = events.readValuesToList();
        assertEquals(List.of(RequestStatus.IN_PROGRESS, RequestStatus.TIMED_OUT), statuses(ev));
        assertEquals(ErrorType.TIMED_OUT, ev.get(1).getError().getType());
        assertTrue(ev.get(1).getError().getMessage().contains("5 of 9 frames"), ev.get(1).getError().getMessage());
        DeadLetter letter = dlq.readValue();
        assertEquals(ErrorType.TIMED_OUT, letter.getErrorType());
        assertEquals("r3", letter.getRequestId());
        assertEquals("assembler", letter.getStage());

        send("r3", 1, 4, 9);   // too late: the request is over
        assertTrue(videos.isEmpty());
        assertTrue(events.isEmpty());
    }

    @Test
    void undecodableBytesAreDeadLetteredAndOtherRequestsCarryOn() {
        byte[] garbage = {0x13, 0x37, 0, 1, 2};
        rawIn.pipeInput("r4".getBytes(), garbage);
        send("r5", 0, 0, 1);

        DeadLetter letter = dlq.readValue();
        assertEquals(ErrorType.UNDECODABLE_RECORD, letter.getErrorType());
        assertEquals("r4", letter.getRequestId());
        assertEquals(frames.name(), letter.getOriginalTopic());
        byte[] original = new byte[letter.getOriginalValue().remaining()];
        letter.getOriginalValue().duplicate().get(original);
        assertArrayEquals(garbage, original);
        List<RequestEvent> ev = events.readValuesToList();
        assertEquals(RequestStatus.FAILED, ev.get(0).getStatus());
        assertEquals("r4", ev.get(0).getRequestId());
        assertEquals(List.of("r5"), videos.readValuesToList().stream().map(VideoReady::getRequestId).toList());
    }

    @Test
    void requestIdsThatCouldEscapeTheBlobPrefixAreRefused() {
        String evil = "../../etc";
        in.pipeInput(evil, chunk(evil, 0, 0, 1).build());
        DeadLetter letter = dlq.readValue();
        assertEquals(ErrorType.INVALID_REQUEST, letter.getErrorType());
        assertNull(letter.getRequestId());
        assertTrue(events.isEmpty(), "no event is keyed by an unsafe id");
        assertFalse(Files.exists(dir.resolve("etc")));
    }

    @Test
    void aChunkOfTheWrongSizeFailsTheRequest() {
        send("r6", 0, 0, 5);
        in.pipeInput("r6", chunk("r6", 1, 4, 5).setInlineBytes(ByteBuffer.wrap(new byte[10])).build());
        send("r6", 1, 4, 5);   // a corrected chunk cannot revive a failed request
        DeadLetter letter = dlq.readValue();
        assertEquals(ErrorType.INVALID_REQUEST, letter.getErrorType());
        assertTrue(letter.getErrorMessage().contains("expected"), letter.getErrorMessage());
        assertEquals(List.of(RequestStatus.IN_PROGRESS, RequestStatus.FAILED), statuses(events.readValuesToList()));
        assertTrue(videos.isEmpty());
    }

    @Test
    void overlappingChunksThatDisagreeFailTheRequest() {
        send("r7", 0, 4, 9);
        send("r7", 3, 8, 9);
        assertEquals(ErrorType.INVALID_REQUEST, dlq.readValue().getErrorType());
        assertTrue(videos.isEmpty());
    }

    @Test
    void chunksByReferenceAreReadFromTheBlobStore() throws Exception {
        BlobStore.BlobRef ref = blobs.put(BlobKeys.frames("r8", 0, 4), TestFrames.frames(0, 4, W, H));
        in.pipeInput("r8", chunk("r8", 0, 4, 5).setInlineBytes(null)
                .setBlob(BlobRef.newBuilder().setUri(ref.uri()).setSizeBytes(ref.sizeBytes()).setSha256(ref.sha256()).build())
                .build());
        assertEquals(5, videos.readValue().getFrames());
    }

    @Test
    void smallFramesAreUpscaledForDisplayWhenAsked() {
        in.pipeInput("r9", chunk("r9", 0, 0, 1).setClientMetadata(Map.of("grn.upscale", "bilinear",
                "grn.display.min.side", "64")).build());
        VideoReady v = videos.readValue();
        assertEquals(64, v.getWidth());
        assertEquals(64, v.getHeight());
    }

    @Test
    void finishedRequestsLoseTheirFrameBlobsThenTheirMemory() {
        send("r10", 0, 0, 2);
        send("r10", 1, 1, 2);
        assertEquals(1, videos.readValuesToList().size());
        Path framesDir = ((LocalBlobStore) blobs).root().resolve("r10").resolve("frames");
        assertTrue(Files.isDirectory(framesDir));

        driver.advanceWallClockTime(Duration.ofMinutes(3));
        assertFalse(Files.exists(framesDir), "frame blobs deleted after the grace period");
        assertTrue(Files.exists(((LocalBlobStore) blobs).root().resolve("r10").resolve("video.mp4")));
        send("r10", 0, 0, 2);
        assertTrue(videos.isEmpty(), "still remembered: a late duplicate makes nothing");

        driver.advanceWallClockTime(Duration.ofMinutes(10));
        assertNull(driver.<String, AssemblyState>getKeyValueStore(FrameChunkAssembler.STORE).get("r10"));
    }
}
