package io.grnstream.encoder;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;
import io.grnstream.config.Validator;
import io.grnstream.model.InferenceSettings;
import java.time.Duration;

/** The decoder stage's settings, on top of the shared and inference ones. */
public final class DecoderSettings {
    private DecoderSettings() {
    }

    public static final Setting<String> GROUP_ID = Setting.of("decoder.group.id", SettingType.STRING,
            "grn-encoder-service", "consumer group of the decoder stage").validatedBy(Validator.nonBlank());

    public static final Setting<Integer> INLINE_MAX_BYTES = Setting.of("decoder.inline.max.bytes", SettingType.INT,
            256 * 1024, "frame chunks up to this size travel inline; larger ones go to the blob store (claim check)")
            .validatedBy(Validator.between(0, 3 * 1024 * 1024));

    public static final Setting<Duration> TRANSACTION_TIMEOUT = Setting.of("decoder.transaction.timeout",
            SettingType.DURATION, Duration.ofSeconds(30), "transaction.timeout.ms of the chunk producer");

    public static final Setting<Duration> COMMIT_INTERVAL = Setting.of("decoder.commit.interval",
            SettingType.DURATION, Duration.ofMillis(100), "decoded chunks are published in one transaction until this"
                    + " much time has passed since the last; a latent frame that takes longer goes out alone, so slow"
                    + " decodes still stream; 0 publishes every chunk in its own transaction");

    public static ConfigDefinition definition() {
        return CommonSettings.definition("encoder-service")
                .defineAll(InferenceSettings.all())
                .define(GROUP_ID)
                .define(INLINE_MAX_BYTES)
                .define(TRANSACTION_TIMEOUT)
                .define(COMMIT_INTERVAL);
    }
}
