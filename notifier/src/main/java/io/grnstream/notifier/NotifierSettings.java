package io.grnstream.notifier;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;
import io.grnstream.config.Validator;
import java.time.Duration;
import java.util.List;

/** The notifier's settings, on top of the shared ones. */
public final class NotifierSettings {
    private NotifierSettings() {
    }

    /** The client metadata key whose value is the request's webhook URL. */
    public static final String WEBHOOK_URL_KEY = "grn.webhook.url";

    public static final Setting<String> APPLICATION_ID = Setting.of("notifier.application.id", SettingType.STRING,
            "grn-notifier", "Kafka Streams application id: consumer group and internal topic prefix")
            .validatedBy(Validator.nonBlank());

    public static final Setting<String> STATE_DIR = Setting.of("notifier.state.dir", SettingType.STRING,
            "data/notifier-state", "local RocksDB directory of hooks and pending deliveries (rebuilt from changelogs)");

    public static final Setting<String> SECRET = Setting.of("notifier.webhook.secret", SettingType.STRING, "",
            "key of the HMAC-SHA256 signature in X-Grn-Signature; empty sends unsigned webhooks").asSecret();

    public static final Setting<List<String>> ALLOWED_PREFIXES = Setting.of("notifier.webhook.allowed.prefixes",
            SettingType.LIST, List.of(), "URL prefixes a webhook may start with (e.g. https://hooks.example.com/);"
                    + " empty allows any http or https URL");

    public static final Setting<Duration> TIMEOUT = Setting.of("notifier.webhook.timeout", SettingType.DURATION,
            Duration.ofSeconds(10), "how long one delivery attempt waits for the receiver's answer")
            .validatedBy(new Validator<Duration>("at least 100ms", d -> d.toMillis() >= 100));

    public static final Setting<Integer> MAX_ATTEMPTS = Setting.of("notifier.webhook.max.attempts", SettingType.INT, 10,
            "attempts before a delivery is given up and dead-lettered").validatedBy(Validator.between(1, 100));

    public static final Setting<Duration> INITIAL_BACKOFF = Setting.of("notifier.webhook.initial.backoff",
            SettingType.DURATION, Duration.ofSeconds(1), "wait before the second attempt; doubles after each failure")
            .validatedBy(new Validator<Duration>("at least 10ms", d -> d.toMillis() >= 10));

    public static final Setting<Duration> MAX_BACKOFF = Setting.of("notifier.webhook.max.backoff", SettingType.DURATION,
            Duration.ofMinutes(5), "longest wait between two attempts");

    public static final Setting<String> START_FROM = Setting.of("notifier.start.from", SettingType.STRING, "latest",
            "where a new notifier group starts reading: latest (only requests submitted from now on get webhooks)"
                    + " or earliest (the whole retention; every old request with a webhook is called)")
            .validatedBy(Validator.oneOf("latest", "earliest"));

    public static final Setting<Duration> HOOK_RETENTION = Setting.of("notifier.hook.retention", SettingType.DURATION,
            Duration.ofDays(7), "a request's webhook is forgotten this long after submission if it never ended");

    public static ConfigDefinition definition() {
        return CommonSettings.definition("notifier")
                .define(APPLICATION_ID)
                .define(STATE_DIR)
                .define(SECRET)
                .define(ALLOWED_PREFIXES)
                .define(TIMEOUT)
                .define(MAX_ATTEMPTS)
                .define(INITIAL_BACKOFF)
                .define(MAX_BACKOFF)
                .define(START_FROM)
                .define(HOOK_RETENTION);
    }
}
