package io.grnstream.assembler;

import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.FrameEncoding;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobKeys;
import io.grnstream.blob.BlobStore;
import io.grnstream.build.StageStamp;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.serde.UndecodableRecordException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Gathers a request's frame chunks and, once every frame is present, muxes the MP4, stores it and
 * publishes VideoReady with a COMPLETED event, all in the stream task's transaction. The store
 * keeps references and counts only: inline chunks are written to the blob store on arrival.
 * Duplicate chunks and chunks of a finished request are dropped, so a request yields one video.
 * A wall-clock sweep ends requests whose chunks stopped arriving (TIMED_OUT) and cleans up.
 */
final class FrameChunkAssembler implements Processor<byte[], byte[], String, SpecificRecord> {
    static final String STORE = "assembly-state";
    static final String STAGE_NAME = "assembler";
    private static final Logger log = LoggerFactory.getLogger(FrameChunkAssembler.class);
    private static final String UPSCALE_KEY = "grn.upscale";
    private static final String MIN_SIDE_KEY = "grn.display.min.side";

    private final Topic<FrameChunk> frames;
    private final Topic<ControlCommand> control;
    private final BlobStore blobs;
    private final AssemblerOptions options;
    private final AssemblerMetrics metrics;
    private final Deserializer<String> keys;
    /** This assembler's software, recorded in every video's provenance. */
    private final String runtimeDescription;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<String, AssemblyState> store;

    FrameChunkAssembler(Topic<FrameChunk> frames, Topic<ControlCommand> control, BlobStore blobs, AssemblerOptions options,
                        AssemblerMetrics metrics) {
        this.frames = frames;
        this.control = control;
        this.blobs = blobs;
        this.options = options;
        this.metrics = metrics;
        this.keys = frames.keySerde().deserializer();
        this.runtimeDescription = StageStamp.runtime(Mp4Muxer.describe(options.h264Encoder(), options.bitsPerPixel()));
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(STORE);
        context.schedule(options.sweepInterval(), PunctuationType.WALL_CLOCK_TIME, this::sweep);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata source = context.recordMetadata().orElseThrow();
        String key = record.key() == null ? null : keys.deserialize(source.topic(), record.key());
        if (record.value() == null) {
            return; // tombstones carry nothing to assemble
        }
        if (source.topic().equals(control.name())) {
            applyControl(key, record, source);
            return;
        }
        MDC.put("requestId", String.valueOf(key));
        try {
            FrameChunk chunk = frames.value(record.value());
            validate(key, chunk);
            accept(key, chunk, record, source);
        } catch (UndecodableRecordException e) {
            reject(key, record, source, ErrorType.UNDECODABLE_RECORD, e.getMessage(), e);
        } catch (InvalidRequestException e) {
            reject(key, record, source, ErrorType.INVALID_REQUEST, e.getMessage(), e);
        } finally {
            MDC.remove("requestId");
        }
    }

    private void accept(String key, FrameChunk chunk, Record<byte[], byte[]> record, RecordMetadata source) {
        long now = context.currentSystemTimeMs();
        AssemblyState state = store.get(key);
        if (state != null && state.status() != AssemblyState.Status.OPEN) {
            metrics.duplicateChunks.increment();
            log.debug("chunk {}-{} of finished request {} dropped", chunk.getFirstFrame(), chunk.getLastFrame(), key);
            return;
        }
        if (state == null) {
            FrameChunk metadata = FrameChunk.newBuilder(chunk).setInlineBytes(null).setBlob(null).build();
            state = AssemblyState.open(frames.valueSerde().serializer().serialize(frames.name(), metadata),
                    chunk.getTotalFrames(), now, source.partition(), source.offset());
            context.forward(new Record<>(key, (SpecificRecord) Events.event(key, RequestStatus.IN_PROGRESS,
                    Stage.ASSEMBLING, options.instanceId(), now).build(), now), FrameChunkTopology.TO_EVENTS);
        } else {
            FrameChunk first = frames.value(state.metadata());
            if (first.getTotalFrames() != chunk.getTotalFrames() || first.getWidth() != chunk.getWidth()
                    || first.getHeight() != chunk.getHeight() || first.getFps() != chunk.getFps()) {
                failRequest(key, state, record, source, "chunk " + chunk.getFirstFrame() + "-" + chunk.getLastFrame()
                        + " disagrees with earlier chunks on totalFrames, size or fps");
                return;
            }
        }
        switch (state.fit(chunk.getFirstFrame(), chunk.getLastFrame())) {
            case DUPLICATE -> {
                metrics.duplicateChunks.increment();
                return;
            }
            case CONFLICT -> {
                failRequest(key, state, record, source, "chunk " + chunk.getFirstFrame() + "-" + chunk.getLastFrame()
                        + " overlaps a different chunk already received");
                return;
            }
            case NEW -> { }
        }
        state = state.withChunk(storeChunk(key, chunk), now, source.partition(), source.offset());
        if (state.isComplete()) {
            finish(key, state, record, source);
        } else {
            store.put(key, state);
        }
    }

    /**
     * A cancel on the control topic. An open request ends CANCELLED now (its frame blobs go after the
     * grace period); one not seen yet is remembered so that its chunks, if the decoder sends any
     * before it sees the cancel too, are dropped, and the stage that holds it reports CANCELLED. A
     * finished request is left as it is.
     */
    private void applyControl(String key, Record<byte[], byte[]> record, RecordMetadata source) {
        ControlCommand command;
        try {
            command = control.value(record.value());
        } catch (UndecodableRecordException e) {
            log.warn("ignoring unreadable control record at {}-{}@{}", source.topic(), source.partition(), source.offset());
            return;
        }
        if (command.getAction() != ControlAction.CANCEL || !BlobKeys.isValidRequestId(key)) {
            return;
        }
        long now = context.currentSystemTimeMs();
        AssemblyState state = store.get(key);
        if (state == null) {
            store.put(key, AssemblyState.endedEarly(AssemblyState.Status.CANCELLED, now, source.partition(), source.offset()));
        } else if (state.status() == AssemblyState.Status.OPEN) {
            String reason = command.getReason() == null ? "cancelled" : command.getReason();
            context.forward(new Record<>(key, (SpecificRecord) Events.failed(key, RequestStatus.CANCELLED, Stage.ASSEMBLING,
                    ErrorType.CANCELLED, reason + " (after " + state.framesReceived() + " of " + state.totalFrames()
                            + " frames)", false, options.instanceId(), now), now), FrameChunkTopology.TO_EVENTS);
            store.put(key, state.closed(AssemblyState.Status.CANCELLED, now));
            metrics.cancelled.increment();
            log.info("request {} cancelled while assembling", key);
        }
    }

    /** The chunk's reference; inline bytes go to the blob store first, so the state never holds pixels. */
    private AssemblyState.ChunkRef storeChunk(String key, FrameChunk chunk) {
        if (chunk.getBlob() != null) {
            return new AssemblyState.ChunkRef(chunk.getFirstFrame(), chunk.getLastFrame(), chunk.getBlob().getUri(),
                    chunk.getBlob().getSizeBytes(), chunk.getBlob().getSha256());
        }
        try {
            BlobStore.BlobRef ref = blobs.put(BlobKeys.frames(key, chunk.getFirstFrame(), chunk.getLastFrame()),
                    bytes(chunk.getInlineBytes()));
            return new AssemblyState.ChunkRef(chunk.getFirstFrame(), chunk.getLastFrame(), ref.uri(), ref.sizeBytes(),
                    ref.sha256());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store an inline chunk of " + key, e);
        }
    }

    private void finish(String key, AssemblyState state, Record<byte[], byte[]> record, RecordMetadata source) {
        FrameChunk metadata = frames.value(state.metadata());
        int width = metadata.getWidth();
        int height = metadata.getHeight();
        FrameScaler scaler = scalerFor(metadata);
        int outWidth = scaler.outputWidth(width);
        int outHeight = scaler.outputHeight(height);
        int frameBytes = width * height * 3;
        long started = System.nanoTime();
        Path mp4 = null;
        try {
            mp4 = Files.createTempFile("grn-assembler-", ".mp4");
            try (Mp4Muxer muxer = new Mp4Muxer(mp4, outWidth, outHeight, metadata.getFps(), options.h264Encoder(),
                    options.bitsPerPixel())) {
                byte[] scaled = new byte[outWidth * outHeight * 3];
                for (AssemblyState.ChunkRef chunk : state.chunks()) {
                    byte[] pixels = blobs.read(chunk.uri());
                    if (pixels.length != (long) chunk.frames() * frameBytes) {
                        failRequest(key, state, record, source, "chunk " + chunk.first() + "-" + chunk.last() + " holds "
                                + pixels.length + " bytes, expected " + (long) chunk.frames() * frameBytes);
                        return;
                    }
                    for (int f = 0; f < chunk.frames(); f++) {
                        scaler.scale(pixels, f * frameBytes, width, height, scaled);
                        muxer.write(scaled, 0);
                    }
                }
                muxer.finish();
            }
            long muxNanos = System.nanoTime() - started;
            BlobStore.BlobRef video = blobs.put(BlobKeys.video(key), mp4);
            long now = context.currentSystemTimeMs();
            VideoReady ready = VideoReady.newBuilder()
                    .setRequestId(key)
                    .setUri(video.uri())
                    .setInlineBytes(video.sizeBytes() <= options.inlineVideoMaxBytes()
                            ? ByteBuffer.wrap(Files.readAllBytes(mp4)) : null)
                    .setSizeBytes(video.sizeBytes())
                    .setSha256(video.sha256())
                    .setDurationSeconds(state.totalFrames() / (double) metadata.getFps())
                    .setFrames(state.totalFrames())
                    .setFps(metadata.getFps())
                    .setWidth(outWidth)
                    .setHeight(outHeight)
                    .setCodec("h264")
                    .setContainer("mp4")
                    .setCompletedAtEpochMs(now)
                    .setProvenance(withThisWorker(metadata.getProvenance()))
                    .setClientMetadata(metadata.getClientMetadata())
                    .build();
            context.forward(new Record<>(key, (SpecificRecord) ready, now), FrameChunkTopology.TO_VIDEOS);
            context.forward(new Record<>(key, (SpecificRecord) Events.event(key, RequestStatus.COMPLETED,
                    Stage.ASSEMBLING, options.instanceId(), now).build(), now), FrameChunkTopology.TO_EVENTS);
            store.put(key, state.closed(AssemblyState.Status.COMPLETED, now));
            metrics.videos.increment();
            metrics.videoBytes.record(video.sizeBytes());
            metrics.muxTime.record(muxNanos, TimeUnit.NANOSECONDS);
            metrics.encodeFps.record(state.totalFrames() / Math.max(1e-9, muxNanos / 1e9));
            metrics.assemblyLatency.record(Math.max(0, now - state.firstSeenMs()), TimeUnit.MILLISECONDS);
            log.info("video {} ready: {} frames {}x{} @ {} fps, {} bytes", key, state.totalFrames(), outWidth, outHeight,
                    metadata.getFps(), video.sizeBytes());
        } catch (NoSuchFileException e) {
            failRequest(key, state, record, source, "a frame blob is missing: " + e.getMessage());
        } catch (IOException e) {
            // Disk or store trouble is worth another attempt: the task fails, its transaction aborts
            // and the chunk is processed again.
            throw new UncheckedIOException("muxing " + key + " failed", e);
        } finally {
            if (mp4 != null) {
                try {
                    Files.deleteIfExists(mp4);
                } catch (IOException e) {
                    log.warn("could not delete {}", mp4);
                }
            }
        }
    }

    private Provenance withThisWorker(Provenance provenance) {
        return StageStamp.stamp(provenance, STAGE_NAME, options.instanceId(), runtimeDescription);
    }

    private FrameScaler scalerFor(FrameChunk metadata) {
        Map<String, String> client = metadata.getClientMetadata();
        FrameScaler.Filter filter = options.upscale();
        int minSide = options.displayMinSide();
        try {
            if (client.containsKey(UPSCALE_KEY)) {
                filter = FrameScaler.Filter.parse(client.get(UPSCALE_KEY));
            }
            if (client.containsKey(MIN_SIDE_KEY)) {
                minSide = Math.max(0, Math.min(4096, Integer.parseInt(client.get(MIN_SIDE_KEY).strip())));
            }
        } catch (IllegalArgumentException e) {
            log.warn("ignoring display options {}: {}", client, e.getMessage());
        }
        return FrameScaler.forDisplay(filter, metadata.getWidth(), metadata.getHeight(), minSide);
    }

    private static void validate(String key, FrameChunk chunk) {
        BlobKeys.validRequestId(key);
        if (!key.equals(chunk.getRequestId())) {
            throw new InvalidRequestException("requestId", "record key '" + key + "' differs from the chunk's requestId");
        }
        if (chunk.getTotalFrames() < 1 || chunk.getFirstFrame() < 0 || chunk.getLastFrame() < chunk.getFirstFrame()
                || chunk.getLastFrame() >= chunk.getTotalFrames()) {
            throw new InvalidRequestException("firstFrame", "frames " + chunk.getFirstFrame() + "-" + chunk.getLastFrame()
                    + " do not fit a video of " + chunk.getTotalFrames() + " frames");
        }
        if (chunk.getWidth() < 2 || chunk.getHeight() < 2 || chunk.getWidth() % 2 != 0 || chunk.getHeight() % 2 != 0
                || (long) chunk.getWidth() * chunk.getHeight() > 4096L * 4096L) {
            throw new InvalidRequestException("width", "frames must have even sides up to 4096x4096, got "
                    + chunk.getWidth() + "x" + chunk.getHeight());
        }
        if (chunk.getFps() < 1 || chunk.getFps() > 240) {
            throw new InvalidRequestException("fps", "must be in [1, 240], got " + chunk.getFps());
        }
        if (chunk.getEncoding() != FrameEncoding.RGB24) {
            throw new InvalidRequestException("encoding", chunk.getEncoding() + " chunks are not supported; send RGB24");
        }
        if ((chunk.getInlineBytes() == null) == (chunk.getBlob() == null)) {
            throw new InvalidRequestException("inlineBytes", "a chunk carries either inline bytes or a blob reference");
        }
        long expected = (long) (chunk.getLastFrame() - chunk.getFirstFrame() + 1) * chunk.getWidth() * chunk.getHeight() * 3;
        long actual = chunk.getInlineBytes() != null ? chunk.getInlineBytes().remaining() : chunk.getBlob().getSizeBytes();
        if (actual != expected) {
            throw new InvalidRequestException("inlineBytes", "chunk " + chunk.getFirstFrame() + "-" + chunk.getLastFrame()
                    + " holds " + actual + " bytes, expected " + expected);
        }
    }

    /** A record that cannot be used: dead letter, FAILED event, and the request (if known and open) ends. */
    private void reject(String key, Record<byte[], byte[]> record, RecordMetadata source, ErrorType type, String message,
                        Exception cause) {
        long now = context.currentSystemTimeMs();
        boolean knownRequest = BlobKeys.isValidRequestId(key);
        context.forward(new Record<>(key, (SpecificRecord) Events.deadLetter(knownRequest ? key : null, source.topic(),
                source.partition(), source.offset(), record.key(), record.value(), STAGE_NAME, type, message, cause, now),
                now), FrameChunkTopology.TO_DLQ);
        metrics.deadLetter(type.name());
        log.warn("dead-lettered {}-{}@{}: {}", source.topic(), source.partition(), source.offset(), message);
        if (!knownRequest) {
            return;
        }
        AssemblyState state = store.get(key);
        if (state != null && state.status() != AssemblyState.Status.OPEN) {
            return;
        }
        context.forward(new Record<>(key, (SpecificRecord) Events.failed(key, RequestStatus.FAILED, Stage.ASSEMBLING, type,
                message, false, options.instanceId(), now), now), FrameChunkTopology.TO_EVENTS);
        // Remember the failure so later chunks of this request are dropped, not assembled.
        store.put(key, state != null ? state.closed(AssemblyState.Status.FAILED, now)
                : AssemblyState.endedEarly(AssemblyState.Status.FAILED, now, source.partition(), source.offset()));
    }

    private void failRequest(String key, AssemblyState state, Record<byte[], byte[]> record, RecordMetadata source,
                             String message) {
        store.put(key, state);
        reject(key, record, source, ErrorType.INVALID_REQUEST, message, null);
    }


    /** Times out stalled requests, deletes frame blobs of finished ones, forgets old ones. */
    private void sweep(long now) {
        List<KeyValue<String, AssemblyState>> updates = new ArrayList<>();
        List<String> forget = new ArrayList<>();
        int open = 0;
        try (KeyValueIterator<String, AssemblyState> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<String, AssemblyState> entry = all.next();
                AssemblyState state = entry.value;
                if (state.status() == AssemblyState.Status.OPEN) {
                    if (now - state.lastSeenMs() > options.chunkTimeout().toMillis()) {
                        timeOut(entry.key, state, now);
                        updates.add(KeyValue.pair(entry.key, state.closed(AssemblyState.Status.FAILED, now)));
                    } else {
                        open++;
                    }
                } else if (now - state.closedAtMs() > options.finishedRetention().toMillis()) {
                    forget.add(entry.key);
                } else if (!state.blobsCleaned() && now - state.closedAtMs() > options.frameBlobGrace().toMillis()) {
                    try {
                        blobs.deletePrefix(BlobKeys.validRequestId(entry.key) + "/frames");
                        updates.add(KeyValue.pair(entry.key, state.cleaned()));
                    } catch (IOException e) {
                        log.warn("could not delete frame blobs of {}: {}", entry.key, e.toString());
                    }
                }
            }
        }
        updates.forEach(u -> store.put(u.key, u.value));
        forget.forEach(store::delete);
        metrics.openRequests.set(open);
    }

    private void timeOut(String key, AssemblyState state, long now) {
        String message = "only " + state.framesReceived() + " of " + state.totalFrames() + " frames arrived; none for "
                + options.chunkTimeout().toSeconds() + " s";
        context.forward(new Record<>(key, (SpecificRecord) Events.failed(key, RequestStatus.TIMED_OUT, Stage.ASSEMBLING,
                ErrorType.TIMED_OUT, message, false, options.instanceId(), now), now), FrameChunkTopology.TO_EVENTS);
        context.forward(new Record<>(key, (SpecificRecord) Events.deadLetter(key, frames.name(), state.lastPartition(),
                state.lastOffset(), key.getBytes(java.nio.charset.StandardCharsets.UTF_8), state.metadata(), STAGE_NAME,
                ErrorType.TIMED_OUT, message, null, now), now), FrameChunkTopology.TO_DLQ);
        metrics.timeouts.increment();
        metrics.deadLetter(ErrorType.TIMED_OUT.name());
        log.warn("request {} timed out: {}", key, message);
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}
