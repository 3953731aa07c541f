package io.grnstream.assembler;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;
import io.grnstream.config.Validator;
import java.time.Duration;

/** The assembler's settings, on top of the shared ones. */
public final class AssemblerSettings {
    private AssemblerSettings() {
    }

    public static final Setting<String> APPLICATION_ID = Setting.of("assembler.application.id", SettingType.STRING,
            "grn-assembler", "Kafka Streams application id: consumer group, transactional id and internal topic prefix")
            .validatedBy(Validator.nonBlank());

    public static final Setting<String> STATE_DIR = Setting.of("assembler.state.dir", SettingType.STRING,
            "data/assembler-state", "local RocksDB directory of the assembly state (rebuilt from its changelog when lost)");

    public static final Setting<Integer> STREAM_THREADS = Setting.of("assembler.stream.threads", SettingType.INT, 1,
            "Kafka Streams threads; each muxes one video at a time").validatedBy(Validator.between(1, 64));

    public static final Setting<Duration> COMMIT_INTERVAL = Setting.of("assembler.commit.interval", SettingType.DURATION,
            Duration.ofMillis(20), "Kafka Streams commit.interval.ms: under exactly-once a video and its events become"
                    + " visible at the next commit, so this bounds the delay it adds (Kafka's own default is 100ms)")
            .validatedBy(new Validator<Duration>("at least 1ms", d -> d.toMillis() >= 1));

    public static final Setting<Duration> CHUNK_TIMEOUT = Setting.of("assembler.chunk.timeout", SettingType.DURATION,
            Duration.ofMinutes(5), "a request whose next chunk does not arrive within this time ends TIMED_OUT");

    public static final Setting<Duration> SWEEP_INTERVAL = Setting.of("assembler.sweep.interval", SettingType.DURATION,
            Duration.ofSeconds(10), "how often open requests are checked for timeouts and finished ones cleaned up");

    public static final Setting<Duration> FINISHED_RETENTION = Setting.of("assembler.finished.retention",
            SettingType.DURATION, Duration.ofHours(24),
            "how long a finished request is remembered, so late duplicate chunks never make a second video");

    public static final Setting<Duration> FRAME_BLOB_GRACE = Setting.of("assembler.frame.blob.grace",
            SettingType.DURATION, Duration.ofMinutes(10),
            "frame blobs of a finished request are deleted this long after it finished (after its transaction committed)");

    public static final Setting<Integer> INLINE_VIDEO_MAX_BYTES = Setting.of("assembler.inline.video.max.bytes",
            SettingType.INT, 1024 * 1024, "MP4s up to this size also travel inside the VideoReady record")
            .validatedBy(Validator.between(0, 6 * 1024 * 1024));

    public static final Setting<String> H264_ENCODER = Setting.of("assembler.h264.encoder", SettingType.STRING,
            "libopenh264", "FFmpeg H.264 encoder: libopenh264 (LGPL FFmpeg build) or libx264 (needs -Pffmpeg-gpl)")
            .validatedBy(Validator.nonBlank());

    public static final Setting<Double> BITS_PER_PIXEL = Setting.of("assembler.video.bits.per.pixel",
            SettingType.DOUBLE, 0.25, "target bitrate as bits per output pixel per frame")
            .validatedBy(Validator.between(0.01, 8.0));

    public static final Setting<String> UPSCALE = Setting.of("assembler.upscale", SettingType.STRING, "nearest",
            "filter used to enlarge small frames: none, nearest or bilinear (per request: clientMetadata grn.upscale)")
            .validatedBy(Validator.oneOf("none", "nearest", "bilinear"));

    public static final Setting<Integer> DISPLAY_MIN_SIDE = Setting.of("assembler.display.min.side", SettingType.INT,
            256, "frames whose shorter side is below this are enlarged by a whole factor to reach it"
                    + " (per request: clientMetadata grn.display.min.side)").validatedBy(Validator.between(0, 4096));

    public static ConfigDefinition definition() {
        return CommonSettings.definition("assembler")
                .define(APPLICATION_ID)
                .define(STATE_DIR)
                .define(STREAM_THREADS)
                .define(COMMIT_INTERVAL)
                .define(CHUNK_TIMEOUT)
                .define(SWEEP_INTERVAL)
                .define(FINISHED_RETENTION)
                .define(FRAME_BLOB_GRACE)
                .define(INLINE_VIDEO_MAX_BYTES)
                .define(H264_ENCODER)
                .define(BITS_PER_PIXEL)
                .define(UPSCALE)
                .define(DISPLAY_MIN_SIDE);
    }
}
