package io.grnstream.refiner;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;
import io.grnstream.config.Validator;
import io.grnstream.model.InferenceSettings;
import java.time.Duration;

/** The refiner workers' settings, on top of the shared and inference ones. */
public final class RefinerSettings {
    private RefinerSettings() {
    }

    public static final Setting<String> GROUP_ID = Setting.of("refiner.group.id", SettingType.STRING,
            "grn-refiner-workers", "consumer group shared by all refiner workers").validatedBy(Validator.nonBlank());

    public static final Setting<Integer> MAX_BATCH = Setting.of("refiner.max.batch", SettingType.INT, 4,
            "requests refined together in one forward pass (one per partition at a time)")
            .validatedBy(Validator.between(1, 256));

    public static final Setting<Integer> SAMPLING_THREADS = Setting.of("refiner.sampling.threads", SettingType.INT, 0,
            "threads for the per-bit sampling between forward passes; 0: on CUDA one per core, on the CPU one per core "
                    + "left to spare by ONNX Runtime's intra-op threads (at least 1)")
            .validatedBy(Validator.between(0, 256));

    public static final Setting<Boolean> STATIC_MEMBERSHIP = Setting.of("refiner.static.membership",
            SettingType.BOOLEAN, true, "join the group as a static member named by instance.id, so a restart within the"
                    + " session timeout does not move partitions");

    public static final Setting<Duration> DRAIN_TIMEOUT = Setting.of("refiner.drain.timeout", SettingType.DURATION,
            Duration.ofSeconds(60), "on stop, how long in-flight jobs may run to completion before they are released"
                    + " uncommitted to another worker");

    public static final Setting<Integer> MAX_ATTEMPTS = Setting.of("refiner.max.attempts", SettingType.INT, 3,
            "attempts of a request whose model run fails before it is dead-lettered").validatedBy(Validator.between(1, 20));

    public static final Setting<Duration> RETRY_BACKOFF = Setting.of("refiner.retry.backoff", SettingType.DURATION,
            Duration.ofSeconds(2), "wait before the first retry; doubles with each attempt");

    public static final Setting<Duration> PROGRESS_INTERVAL = Setting.of("refiner.progress.interval",
            SettingType.DURATION, Duration.ofMillis(500), "at most one progress event per request per interval");

    public static final Setting<Duration> ADMISSION_WINDOW = Setting.of("refiner.admission.window",
            SettingType.DURATION, Duration.ofMillis(25), "after a full worker frees a slot, how long it gathers the"
                    + " requests waiting on its partitions before admitting the highest priority; 0 admits at once");

    public static final Setting<Duration> STALL_TIMEOUT = Setting.of("refiner.stall.timeout", SettingType.DURATION,
            Duration.ofMinutes(10), "a job whose forward pass has not returned for this long is taken as hung: the worker"
                    + " stops being live, so its orchestrator restarts it and the request is redone elsewhere; 0 disables");

    public static final Setting<Duration> TRANSACTION_TIMEOUT = Setting.of("refiner.transaction.timeout",
            SettingType.DURATION, Duration.ofSeconds(30), "transaction.timeout.ms of the output producer; transactions"
                    + " only wrap publishing, never model work");

    public static ConfigDefinition definition() {
        return CommonSettings.definition("refiner-workers")
                .defineAll(InferenceSettings.all())
                .define(GROUP_ID)
                .define(MAX_BATCH)
                .define(SAMPLING_THREADS)
                .define(STATIC_MEMBERSHIP)
                .define(DRAIN_TIMEOUT)
                .define(MAX_ATTEMPTS)
                .define(RETRY_BACKOFF)
                .define(PROGRESS_INTERVAL)
                .define(ADMISSION_WINDOW)
                .define(STALL_TIMEOUT)
                .define(TRANSACTION_TIMEOUT);
    }
}
