package io.grnstream.encoder;

import io.grnstream.avro.BlobRef;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.FrameEncoding;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.blob.BlobKeys;
import io.grnstream.blob.BlobStore;
import io.grnstream.blob.BlobStores;
import io.grnstream.config.GrnConfig;
import io.grnstream.errors.GrnException;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.geometry.VideoGeometry;
import io.grnstream.hbq.LatentVideoPacker;
import io.grnstream.hbq.MalformedLatentException;
import io.grnstream.kafka.CancelFollower;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.kafka.serde.UndecodableRecordException;
import io.grnstream.build.StageStamp;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.InferenceSettings;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.VaeNetwork;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.stage.InstanceIds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HBQ codec stage: committed LatentVideos in, FrameChunks out. Each latent frame is decoded
 * and its chunk published in its own short transaction as soon as it is ready, so chunks reach the
 * assembler while later frames are still being decoded and only one latent frame's pixels are in
 * memory; the last chunk's transaction also commits the consumed offset. A crash mid-video re-runs
 * the record and republishes the same chunks with the same bytes under the same blob keys, which
 * the assembler drops as duplicates, so nothing is lost or doubled downstream.
 */
public final class DecoderService implements io.grnstream.stage.Stage {
    static final String STAGE_NAME = "encoder-service";
    private static final Logger log = LoggerFactory.getLogger(DecoderService.class);

    private final GrnConfig config;
    private final MeterRegistry meters;
    private final String instanceId;
    private final int inlineMaxBytes;
    private final long commitIntervalNanos;
    private ModelBundle bundle;
    private VaeNetwork vae;
    private CancelFollower cancels;
    private Counter cancelledCount;
    /** This decoder's software, recorded in every output's provenance. */
    private String runtimeDescription;
    private LatentFrameDecoder decoder;
    private BlobStore blobs;
    private Topic<LatentVideo> latents;
    private Topic<FrameChunk> frames;
    private Topic<io.grnstream.avro.RequestEvent> events;
    private Topic<io.grnstream.avro.DeadLetter> dlq;
    private KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> producer;
    private Thread pollThread;
    private volatile boolean running;
    private volatile boolean ready;
    private volatile boolean crashed;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Called before each latent frame is decoded; tests use it to act at a known point. */
    volatile java.util.function.IntConsumer beforeLatentFrame = t -> { };
    private final Set<TopicPartition> revoked = new HashSet<>();
    private Timer decodeLatency;
    private Counter bytesOut;
    private Counter blobWrites;
    private Counter chunksOut;

    public DecoderService(GrnConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.instanceId = InstanceIds.resolve(config, "decoder");
        this.inlineMaxBytes = config.get(DecoderSettings.INLINE_MAX_BYTES);
        this.commitIntervalNanos = config.get(DecoderSettings.COMMIT_INTERVAL).toNanos();
    }

    @Override
    public String name() {
        return STAGE_NAME;
    }

    @Override
    public synchronized void start() {
        bundle = ModelBundle.load(Path.of(config.get(InferenceSettings.MODEL_DIR)));
        InferenceRuntime runtime = new InferenceRuntime(config);
        vae = VaeNetwork.decoder(bundle, runtime);
        runtimeDescription = StageStamp.runtime(runtime.describe());
        decoder = new LatentFrameDecoder(vae);
        blobs = BlobStores.fromConfig(config);
        decodeLatency = Timer.builder("grn.decoder.latent.frame.latency").description("VAE decode of one latent frame")
                .register(meters);
        bytesOut = Counter.builder("grn.decoder.bytes.out").description("RGB bytes of decoded frames").register(meters);
        blobWrites = Counter.builder("grn.decoder.blob.writes").description("chunks stored by reference").register(meters);
        chunksOut = Counter.builder("grn.decoder.chunks").description("frame chunks published").register(meters);
        // Warm the session so the first request does not pay for its initialisation.
        VideoGeometry g = bundle.defaultGeometry();
        Thread warmUp = InferenceRuntime.nativeThread(() -> decoder.decode(new float[g.channels() * g.tokens()], g, 0),
                "decoder-warm-up");
        warmUp.start();
        try {
            warmUp.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        latents = topics.topic(Topics.LATENTS);
        frames = topics.topic(Topics.FRAMES);
        events = topics.topic(Topics.EVENTS);
        dlq = topics.topic(Topics.DLQ);
        cancels = new CancelFollower(config, topics.topic(Topics.CONTROL), "decoder-control-" + instanceId,
                (id, reason) -> { }).start();
        cancelledCount = Counter.builder("grn.decoder.cancelled").description("requests cancelled between latent frames")
                .register(meters);
        Map<String, Object> consumerProps = KafkaClients.consumerProperties(config,
                config.get(DecoderSettings.GROUP_ID), "decoder-" + instanceId);
        // One latent at a time: the next is fetched only after this one's offset is committed.
        consumerProps.put(org.apache.kafka.clients.consumer.ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        consumer = KafkaClients.bytesConsumer(consumerProps);
        Map<String, Object> tx = KafkaClients.transactionalProducerProperties(config, "decoder-" + instanceId,
                "grn-decoder-" + instanceId);
        tx.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) config.get(DecoderSettings.TRANSACTION_TIMEOUT).toMillis());
        producer = KafkaClients.bytesProducer(tx);
        producer.initTransactions();
        running = true;
        consumer.subscribe(List.of(latents.name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                revoked.addAll(partitions);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                revoked.removeAll(partitions);
            }
        });
        pollThread = InferenceRuntime.nativeThread(this::pollLoop, "decoder-poll-" + instanceId);
        pollThread.start();
        ready = true;
        log.info("decoder {} ready: bundle {} ({})", instanceId, bundle.id(), bundle.sha256());
    }

    /** Whether this decoder has seen a cancel for the request (for tests). */
    boolean knowsCancelOf(String requestId) {
        return cancels != null && cancels.reason(requestId).isPresent();
    }

    @Override
    public boolean isReady() {
        return ready && running;
    }

    @Override
    public boolean isLive() {
        return !crashed;
    }

    private void pollLoop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (!running || revoked.contains(tp)) {
                        continue;
                    }
                    // Keep the membership alive while decoding without taking more records.
                    consumer.pause(consumer.assignment());
                    try {
                        process(record);
                    } catch (RuntimeException e) {
                        // Store or broker trouble: nothing of this record was committed, so take it again.
                        log.warn("decoding {}-{}@{} failed, retrying: {}", record.topic(), record.partition(),
                                record.offset(), e.toString());
                        consumer.seek(tp, record.offset());
                        sleep(1000);
                    } finally {
                        consumer.resume(consumer.assignment());
                    }
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            log.error("decoder poll loop failed", e);
            crashed = true;
            running = false;
        } finally {
            consumer.close(Duration.ofSeconds(5));
            producer.close(Duration.ofSeconds(5));
            stopped.countDown();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void process(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? null : latents.keySerde().deserializer().deserialize(record.topic(), record.key());
        MDC.put("requestId", String.valueOf(key));
        try {
            LatentVideo latent = latents.value(record);
            if (latent == null) {
                transact(record, List.of(), true);
                return;
            }
            String id = BlobKeys.validRequestId(latent.getRequestId());
            if (!id.equals(key)) {
                throw new InvalidRequestException("requestId", "record key '" + key + "' differs from requestId '" + id + "'");
            }
            if (!bundle.sha256().equals(latent.getProvenance().getModelBundleSha256())) {
                throw new io.grnstream.errors.UnknownModelException("latent was made by bundle "
                        + latent.getProvenance().getModelBundleSha256() + "; this decoder serves " + bundle.id() + " ("
                        + bundle.sha256() + ")");
            }
            float[] z = LatentVideoPacker.dequantize(latent);
            VideoGeometry g = LatentVideoPacker.fromAvro(latent.getGeometry());
            if (g.channels() != bundle.channels() || g.tokens() != bundle.tokens()) {
                throw new MalformedLatentException("latent geometry " + g + " does not fit bundle " + bundle.id());
            }
            decodeAndPublish(record, latent, g, z);
        } catch (UndecodableRecordException e) {
            reject(record, key, ErrorType.UNDECODABLE_RECORD, e.getMessage(), e);
        } catch (GrnException e) {
            reject(record, key, e.errorType(), e.getMessage(), e);
        } finally {
            MDC.remove("requestId");
        }
    }

    private void decodeAndPublish(ConsumerRecord<byte[], byte[]> record, LatentVideo latent, VideoGeometry g, float[] z) {
        String id = latent.getRequestId();
        Provenance provenance = StageStamp.stamp(latent.getProvenance(), STAGE_NAME, instanceId, runtimeDescription);
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        // Chunks and their events wait here until the commit interval has passed: a fast decoder
        // pays for one transaction per video, a slow one still streams chunk by chunk.
        List<ProducerRecord<byte[], byte[]>> pending = new ArrayList<>();
        long lastCommit = System.nanoTime();
        for (int t = 0; t < g.latentFrames(); t++) {
            consumer.poll(Duration.ZERO);
            if (!running || revoked.contains(tp)) {
                log.info("stopped decoding {} at latent frame {}: it will be redone", id, t);
                return;
            }
            Optional<String> cancelled = cancels.reason(id);
            if (cancelled.isPresent()) {
                // Checked between latent frames, as the refiner checks between passes: the chunks
                // already out stay (the assembler drops them on the same cancel), the rest is not made.
                long now = System.currentTimeMillis();
                pending.add(events.record(id, Events.failed(id, RequestStatus.CANCELLED, Stage.DECODING,
                        ErrorType.CANCELLED, cancelled.get() + " (after " + t + " of " + g.latentFrames()
                                + " latent frames)", false, instanceId, now)));
                transact(record, pending, true);
                cancelledCount.increment();
                log.info("cancelled {} at latent frame {} of {}", id, t, g.latentFrames());
                return;
            }
            beforeLatentFrame.accept(t);
            long started = System.nanoTime();
            LatentFrameDecoder.DecodedFrames decoded = decoder.decode(z, g, t);
            byte[] rgb = LatentFrameDecoder.toRgb24(decoded);
            decodeLatency.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            int first = decoded.firstFrame();
            int last = first + decoded.frameCount() - 1;
            FrameChunk.Builder chunk = FrameChunk.newBuilder()
                    .setRequestId(id).setFirstFrame(first).setLastFrame(last).setTotalFrames(g.frames())
                    .setWidth(decoded.width()).setHeight(decoded.height()).setFps(g.fps())
                    .setEncoding(FrameEncoding.RGB24).setProvenance(provenance)
                    .setClientMetadata(latent.getClientMetadata());
            if (rgb.length > inlineMaxBytes) {
                try {
                    BlobStore.BlobRef ref = blobs.put(BlobKeys.frames(id, first, last), rgb);
                    chunk.setBlob(BlobRef.newBuilder().setUri(ref.uri()).setSizeBytes(ref.sizeBytes())
                            .setSha256(ref.sha256()).build());
                    blobWrites.increment();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot store frames of " + id, e);
                }
            } else {
                chunk.setInlineBytes(ByteBuffer.wrap(rgb));
            }
            boolean lastChunk = t == g.latentFrames() - 1;
            long now = System.currentTimeMillis();
            pending.add(frames.record(id, chunk.build()));
            pending.add(events.record(id, Events.event(id, RequestStatus.IN_PROGRESS, Stage.DECODING, instanceId, now)
                    .setStep(t + 1).setTotalSteps(g.latentFrames()).build()));
            if (lastChunk || System.nanoTime() - lastCommit >= commitIntervalNanos) {
                transact(record, pending, lastChunk);
                pending.clear();
                lastCommit = System.nanoTime();
            }
            chunksOut.increment();
            bytesOut.increment(rgb.length);
        }
        log.info("decoded {}: {} frames in {} chunks", id, g.frames(), g.latentFrames());
    }

    private void reject(ConsumerRecord<byte[], byte[]> record, String key, ErrorType type, String message, Throwable cause) {
        long now = System.currentTimeMillis();
        boolean usable = BlobKeys.isValidRequestId(key);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        out.add(dlq.record(usable ? key : null, Events.deadLetter(usable ? key : null, record.topic(), record.partition(),
                record.offset(), record.key(), record.value(), STAGE_NAME, type, message, cause, now)));
        if (usable) {
            out.add(events.record(key, Events.failed(key, RequestStatus.FAILED, Stage.DECODING, type, message, false,
                    instanceId, now)));
        }
        Counter.builder("grn.decoder.dead.letters").tag("error.type", type.name()).register(meters).increment();
        transact(record, out, true);
        log.warn("dead-lettered {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), type, message);
    }

    private void transact(ConsumerRecord<byte[], byte[]> consumed, List<ProducerRecord<byte[], byte[]>> records,
                          boolean commitOffset) {
        try {
            producer.beginTransaction();
            records.forEach(producer::send);
            if (commitOffset) {
                producer.sendOffsetsToTransaction(Map.of(new TopicPartition(consumed.topic(), consumed.partition()),
                        new OffsetAndMetadata(consumed.offset() + 1)), consumer.groupMetadata());
            }
            producer.commitTransaction();
        } catch (KafkaException e) {
            log.warn("transaction aborted: {}", e.toString());
            try {
                producer.abortTransaction();
            } catch (KafkaException ignored) {
                // the producer is closing or fenced
            }
            throw e;
        }
    }

    @Override
    public void close() {
        if (pollThread == null) {
            return;
        }
        running = false;
        try {
            stopped.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        cancels.close();
        vae.close();
        blobs.close();
        ready = false;
        pollThread = null;
    }
}
