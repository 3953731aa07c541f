package io.grnstream.encoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RefineTimings;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.blob.BlobStore;
import io.grnstream.blob.BlobStores;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.geometry.VideoGeometry;
import io.grnstream.hbq.LatentVideoPacker;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicDef;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicReader;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.Npy;
import io.grnstream.model.VaeNetwork;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class DecoderServiceTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final Path BUNDLE = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private GrnConfig config;
    private TopicRegistry topics;
    private ModelBundle bundle;
    private final List<DecoderService> services = new ArrayList<>();

    @BeforeEach
    void provision() {
        bundle = ModelBundle.load(BUNDLE);
        config = ConfigLoader.fromMap(DecoderSettings.definition(), Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", "2",
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "model.dir", BUNDLE.toString(),
                "blob.store.uri", dir.resolve("blobs").toUri().toString(),
                "decoder.group.id", "decoders-" + UUID.randomUUID(),
                "inference.intra.op.threads", "1",
                "instance.id", "decoder-test"));
        topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
        }
    }

    @AfterEach
    void stop() {
        services.forEach(DecoderService::close);
    }

    private DecoderService start(Map<String, String> extra) {
        DecoderService service = new DecoderService(config.with(extra), new SimpleMeterRegistry());
        services.add(service);
        service.start();
        return service;
    }

    private LatentVideo latent(String id) throws Exception {
        byte[] bits = Npy.read(BUNDLE.resolve("fixtures/sampler_fixed.final_bits.npy")).bytes();
        VideoGeometry g = bundle.defaultGeometry();
        return LatentVideo.newBuilder().setRequestId(id).setGeometry(LatentVideoPacker.toAvro(g))
                .setHbqRounds(bundle.hbqRounds()).setBitsPerToken(bundle.bitsPerToken())
                .setPackedBits(LatentVideoPacker.packBits(g, bundle.hbqRounds(), bits)).setStepsUsed(50)
                .setTimings(RefineTimings.newBuilder().build())
                .setProvenance(Provenance.newBuilder().setRequestId(id).setModelId(bundle.id())
                        .setModelBundleSha256(bundle.sha256()).setSeed(20260).setGuidanceScale(3).setTemperature(1)
                        .setStepPolicy("fixed(50)").setStepsUsed(50).setHbqRounds(4).build())
                .build();
    }

    private void send(LatentVideo... videos) {
        Topic<LatentVideo> t = topics.topic(Topics.LATENTS);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "t"))) {
            for (LatentVideo v : videos) {
                producer.send(t.record(v.getRequestId(), v));
            }
        }
    }


    private <V extends SpecificRecord> List<V> readUntil(TopicDef<V> def, Predicate<List<V>> done, Duration max) {
        return TopicReader.readUntil(config, topics, def, done, max);
    }

    /** The whole clip decoded at once by the same network, as RGB24: what the chunks must add up to. */
    private byte[] wholeClipRgb(LatentVideo v) {
        VideoGeometry g = bundle.defaultGeometry();
        try (VaeNetwork vae = VaeNetwork.decoder(bundle, new InferenceRuntime("cpu", false, 1, 1))) {
            VaeNetwork.Tensor out = vae.run(LatentVideoPacker.dequantize(v),
                    new long[] {1, g.channels(), g.latentFrames(), g.latentHeight(), g.latentWidth()});
            return LatentFrameDecoder.toRgb24(new LatentFrameDecoder.DecodedFrames(0, (int) out.shape()[2],
                    (int) out.shape()[4], (int) out.shape()[3], out.data()));
        }
    }

    private static byte[] concat(List<FrameChunk> chunks, BlobStore blobs) throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (FrameChunk c : chunks) {
            if (c.getInlineBytes() != null) {
                byte[] b = new byte[c.getInlineBytes().remaining()];
                c.getInlineBytes().duplicate().get(b);
                all.write(b);
            } else {
                all.write(blobs.read(c.getBlob().getUri()));
            }
        }
        return all.toByteArray();
    }

    @Test
    void aLatentBecomesAllItsFramesChunkByChunkAsTheWholeClipDecodes() throws Exception {
        DecoderService service = start(Map.of("decoder.commit.interval", "0ms"));
        CountDownLatch firstChunkSeen = new CountDownLatch(1);
        List<Boolean> firstBeforeLast = new CopyOnWriteArrayList<>();
        service.beforeLatentFrame = t -> {
            if (t == bundle.defaultGeometry().latentFrames() - 1) {
                try {
                    firstBeforeLast.add(firstChunkSeen.await(30, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        LatentVideo v = latent("dec-1");
        send(v);
        List<FrameChunk> chunks = readUntil(Topics.FRAMES, l -> {
            if (!l.isEmpty()) {
                firstChunkSeen.countDown();
            }
            return l.size() >= 5;
        }, Duration.ofSeconds(60));
        assertEquals(List.of(true), firstBeforeLast, "a read_committed consumer had chunk 0 before the last latent frame was decoded");
        assertEquals(5, chunks.size());
        chunks.sort(Comparator.comparingInt(FrameChunk::getFirstFrame));
        assertEquals(List.of(0, 1, 5, 9, 13), chunks.stream().map(FrameChunk::getFirstFrame).toList());
        assertEquals(16, chunks.get(4).getLastFrame());
        assertTrue(chunks.stream().allMatch(c -> c.getTotalFrames() == 17 && c.getWidth() == 64 && c.getFps() == 8));
        assertEquals("decoder-test", chunks.get(0).getProvenance().getWorkers().get("encoder-service"));
        try (BlobStore blobs = BlobStores.fromConfig(config)) {
            assertArrayEquals(wholeClipRgb(v), concat(chunks, blobs));
        }
        List<RequestEvent> events = readUntil(Topics.EVENTS, l -> l.size() >= 5, Duration.ofSeconds(10));
        assertEquals(5, events.stream().filter(e -> e.getStage() == io.grnstream.avro.Stage.DECODING).count());
    }

    @Test
    void fastChunksShareATransactionAndASlowLatentFrameStillGoesOutAtOnce() throws Exception {
        // Wide margins, so that a loaded machine's slow decodes cannot blur the two cases.
        DecoderService service = start(Map.of("decoder.commit.interval", "1500ms"));
        List<List<Integer>> visibleBeforeLastFrame = new CopyOnWriteArrayList<>();
        service.beforeLatentFrame = t -> {
            if (t == 1) {
                pause(2000);   // latent frame 1 takes longer than the commit interval
            } else if (t == 4) {
                visibleBeforeLastFrame.add(readUntil(Topics.FRAMES, l -> false, Duration.ofSeconds(3)).stream()
                        .map(FrameChunk::getFirstFrame).sorted().toList());
            }
        };
        send(latent("dec-batched"));
        List<FrameChunk> chunks = readUntil(Topics.FRAMES, l -> l.size() >= 5, Duration.ofSeconds(60));
        assertEquals(5, chunks.size());
        // Frames 0 and 1 went out together once frame 1 passed the interval; 2 and 3 (fast) waited
        // for the last one, so a read_committed reader saw exactly the first two before frame 4.
        assertEquals(List.of(List.of(0, 1)), visibleBeforeLastFrame);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void bigChunksGoToTheBlobStoreUnderDeterministicKeys() throws Exception {
        start(Map.of("decoder.inline.max.bytes", "0"));
        send(latent("dec-2"));
        List<FrameChunk> chunks = readUntil(Topics.FRAMES, l -> l.size() >= 5, Duration.ofSeconds(60));
        for (FrameChunk c : chunks) {
            assertNull(c.getInlineBytes());
            assertNotNull(c.getBlob());
            assertTrue(c.getBlob().getUri().endsWith("dec-2/frames/" + c.getFirstFrame() + "-" + c.getLastFrame()),
                    c.getBlob().getUri());
        }
    }

    @Test
    void malformedLatentsAreDeadLetteredWithAFailedEvent() throws Exception {
        start(Map.of());
        LatentVideo good = latent("dec-ok");
        LatentVideo shortBits = LatentVideo.newBuilder(latent("dec-short")).setPackedBits(ByteBuffer.wrap(new byte[100])).build();
        LatentVideo rounds = LatentVideo.newBuilder(latent("dec-rounds")).setHbqRounds(3).build();
        LatentVideo stranger = latent("dec-stranger");
        stranger.getProvenance().setModelBundleSha256("0".repeat(64));
        send(shortBits, rounds, stranger, good);

        List<DeadLetter> letters = readUntil(Topics.DLQ, l -> l.size() >= 3, Duration.ofSeconds(60));
        Map<String, ErrorType> types = letters.stream().collect(Collectors.toMap(d -> String.valueOf(d.getRequestId()),
                DeadLetter::getErrorType));
        assertEquals(Map.of("dec-short", ErrorType.UNDECODABLE_RECORD, "dec-rounds", ErrorType.UNDECODABLE_RECORD,
                "dec-stranger", ErrorType.UNKNOWN_MODEL), types);
        List<RequestEvent> events = readUntil(Topics.EVENTS, l -> l.stream().filter(e -> e.getStatus() == RequestStatus.FAILED)
                .count() >= 3, Duration.ofSeconds(30));
        assertEquals(3, events.stream().filter(e -> e.getStatus() == RequestStatus.FAILED).count());
        List<FrameChunk> chunks = readUntil(Topics.FRAMES, l -> l.size() >= 5, Duration.ofSeconds(60));
        assertEquals(Map.of("dec-ok", 5L), chunks.stream().collect(Collectors.groupingBy(FrameChunk::getRequestId,
                Collectors.counting())));
    }

    private void cancel(String id) {
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "c"))) {
            producer.send(control.record(id, ControlCommand.newBuilder().setRequestId(id).setAction(ControlAction.CANCEL)
                    .setReason("no longer needed").setIssuedAtEpochMs(System.currentTimeMillis()).build()));
        }
    }

    private static void awaitKnown(DecoderService service, String id) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!service.knowsCancelOf(id)) {
            assertTrue(System.nanoTime() < deadline, "the decoder never saw the cancel of " + id);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Test
    void aCancelStopsDecodingBetweenLatentFramesAndCommitsTheLatent() throws Exception {
        DecoderService service = start(Map.of());
        service.beforeLatentFrame = t -> {
            if (t == 2) {
                cancel("dec-cancel-mid");
                awaitKnown(service, "dec-cancel-mid");
            }
        };
        cancel("dec-cancel-early");
        awaitKnown(service, "dec-cancel-early");
        send(latent("dec-cancel-early"), latent("dec-cancel-mid"));

        List<RequestEvent> ended = readUntil(Topics.EVENTS, l -> l.stream().filter(e -> e.getStatus() == RequestStatus.CANCELLED)
                .count() >= 2, Duration.ofSeconds(60));
        Map<String, RequestEvent> cancelled = ended.stream().filter(e -> e.getStatus() == RequestStatus.CANCELLED)
                .collect(Collectors.toMap(RequestEvent::getRequestId, e -> e));
        assertEquals("no longer needed (after 0 of 5 latent frames)", cancelled.get("dec-cancel-early").getError().getMessage());
        assertEquals("no longer needed (after 3 of 5 latent frames)", cancelled.get("dec-cancel-mid").getError().getMessage());
        assertEquals(ErrorType.CANCELLED, cancelled.get("dec-cancel-mid").getError().getType());
        List<FrameChunk> chunks = readUntil(Topics.FRAMES, l -> false, Duration.ofSeconds(3));
        assertEquals(List.of(0, 1, 5), chunks.stream().filter(c -> c.getRequestId().equals("dec-cancel-mid"))
                .map(FrameChunk::getFirstFrame).sorted().toList(), "the chunks of latent frames 0-2 only");
        assertTrue(chunks.stream().noneMatch(c -> c.getRequestId().equals("dec-cancel-early")));
        try (Admin admin = KafkaClients.admin(config)) {
            long committed = admin.listConsumerGroupOffsets(config.get(DecoderSettings.GROUP_ID)).partitionsToOffsetAndMetadata()
                    .get().values().stream().mapToLong(o -> o.offset()).sum();
            assertEquals(2, committed, "both latents are done with: a restart does not decode them again");
        }
    }

    @Test
    void aStopMidVideoRepublishesTheSameChunksSoNothingIsLost() throws Exception {
        DecoderService first = start(Map.of());
        CountDownLatch midway = new CountDownLatch(1);
        first.beforeLatentFrame = t -> {
            if (t == 2) {
                midway.countDown();
                try {
                    Thread.sleep(2000);   // the stop below lands while this video is half done
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        LatentVideo v = latent("dec-stop");
        send(v);
        assertTrue(midway.await(60, TimeUnit.SECONDS));
        first.close();
        services.remove(first);
        start(Map.of("instance.id", "decoder-second"));

        List<FrameChunk> chunks = readUntil(Topics.FRAMES, l -> l.stream().map(FrameChunk::getFirstFrame).distinct().count() >= 5
                && l.stream().filter(c -> c.getFirstFrame() == 0).count() >= 2, Duration.ofSeconds(60));
        Map<Integer, List<FrameChunk>> byRange = chunks.stream().collect(Collectors.groupingBy(FrameChunk::getFirstFrame));
        assertEquals(5, byRange.size(), "every range arrives");
        Map<Integer, byte[]> firstSeen = new HashMap<>();
        for (FrameChunk c : chunks) {
            byte[] b = new byte[c.getInlineBytes().remaining()];
            c.getInlineBytes().duplicate().get(b);
            byte[] earlier = firstSeen.putIfAbsent(c.getFirstFrame(), b);
            if (earlier != null) {
                assertArrayEquals(earlier, b, "a republished chunk carries the same bytes");
            }
        }
    }
}
