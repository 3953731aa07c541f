package io.grnstream.kafka;

import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.FrameChunk;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.VideoReady;
import io.grnstream.config.CommonSettings;
import java.time.Duration;
import java.util.List;

/**
 * Every topic of the pipeline (DESIGN.md section 1). Topic names appear nowhere else: code asks
 * a {@link TopicRegistry} for the {@link Topic} of one of these definitions.
 */
public final class Topics {
    private static final int MIB = 1024 * 1024;

    private Topics() {
    }

    /** The source of truth for replay: kept as long as replays must reach back. */
    public static final TopicDef<GenerationRequest> REQUESTS = new TopicDef<>("requests", GenerationRequest.class,
            "delete", null, CommonSettings.REQUESTS_RETENTION, MIB);

    /**
     * HBQ bits inline. A 5 s 480p latent (21 x 30 x 53 tokens x 256 bits) packs to 1,068,480 bytes,
     * just over 1 MiB, so the limit leaves room for the largest geometry the models support.
     */
    public static final TopicDef<LatentVideo> LATENTS = new TopicDef<>("latents", LatentVideo.class,
            "delete", Duration.ofDays(1), null, 4 * MIB);

    /** Blob references and small inline chunks; only needed until the assembler has muxed them. */
    public static final TopicDef<FrameChunk> FRAMES = new TopicDef<>("frames", FrameChunk.class,
            "delete", Duration.ofHours(6), null, 4 * MIB);

    /** The latest record per request is the answer downstream consumers want. */
    public static final TopicDef<VideoReady> VIDEOS = new TopicDef<>("videos", VideoReady.class,
            "compact", null, null, 8 * MIB);

    /** Status view per request (compacted) and progress history (until deleted). */
    public static final TopicDef<RequestEvent> EVENTS = new TopicDef<>("events", RequestEvent.class,
            "compact,delete", Duration.ofDays(7), null, MIB);

    /** Cancel and other signals, checked by workers between steps. */
    public static final TopicDef<ControlCommand> CONTROL = new TopicDef<>("control", ControlCommand.class,
            "compact", null, null, MIB);

    /** Nothing is lost silently: the original bytes plus why. Sized to hold the largest original. */
    public static final TopicDef<DeadLetter> DLQ = new TopicDef<>("dlq", DeadLetter.class,
            "delete", null, CommonSettings.DLQ_RETENTION, 8 * MIB);

    public static List<TopicDef<?>> all() {
        return List.of(REQUESTS, LATENTS, FRAMES, VIDEOS, EVENTS, CONTROL, DLQ);
    }

    /** What producers must accept in one request (max.request.size). */
    public static int largestMessageBytes() {
        return all().stream().mapToInt(TopicDef::maxMessageBytes).max().orElseThrow();
    }
}
