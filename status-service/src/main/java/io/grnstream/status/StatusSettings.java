package io.grnstream.status;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;
import io.grnstream.config.Validator;
import java.time.Duration;

/** The status service's settings, on top of the shared ones. */
public final class StatusSettings {
    private StatusSettings() {
    }

    public static final Setting<String> APPLICATION_ID = Setting.of("status.application.id", SettingType.STRING,
            "grn-status", "Kafka Streams application id: every instance with this id shares one view")
            .validatedBy(Validator.nonBlank());

    public static final Setting<String> STATE_DIR = Setting.of("status.state.dir", SettingType.STRING,
            "data/status-state", "local RocksDB directory of the view (rebuilt from the events topic when lost)");

    public static final Setting<Integer> HTTP_PORT = Setting.of("status.http.port", SettingType.INT, 8090,
            "port of GET /v1/requests/{id}; 0 picks a free port").validatedBy(Validator.between(0, 65_535));

    public static final Setting<String> ADVERTISED_URL = Setting.of("status.advertised.url", SettingType.STRING, "",
            "http://host:port other instances use to reach this one (a lookup is forwarded to the instance holding"
                    + " the id's partition); empty means http://HOSTNAME:PORT");

    public static final Setting<Integer> STREAM_THREADS = Setting.of("status.stream.threads", SettingType.INT, 1,
            "Kafka Streams threads keeping the view up to date").validatedBy(Validator.between(1, 64));

    public static final Setting<Integer> HTTP_THREADS = Setting.of("status.http.threads", SettingType.INT, 4,
            "threads answering lookups (each open event stream holds one more)").validatedBy(Validator.between(1, 256));

    public static final Setting<Integer> STREAMS_MAX = Setting.of("status.streams.max", SettingType.INT, 200,
            "event streams (GET /v1/requests/{id}/events) one instance serves at once; more are refused with 503")
            .validatedBy(Validator.between(0, 10_000));

    public static final Setting<Duration> STREAMS_HEARTBEAT = Setting.of("status.streams.heartbeat",
            SettingType.DURATION, Duration.ofSeconds(15),
            "an event stream with nothing new sends a comment this often, so proxies keep it open")
            .validatedBy(new Validator<Duration>("at least 100ms", d -> d.toMillis() >= 100));

    public static final Setting<Boolean> SUBMIT_ENABLED = Setting.of("status.submit.enabled", SettingType.BOOLEAN,
            false, "also accept POST /v1/requests (submit) and DELETE /v1/requests/{id} (cancel); put authentication"
                    + " in front of it, as in front of Kafka");

    public static ConfigDefinition definition() {
        return CommonSettings.definition("status")
                .define(APPLICATION_ID)
                .define(STATE_DIR)
                .define(HTTP_PORT)
                .define(ADVERTISED_URL)
                .define(STREAM_THREADS)
                .define(HTTP_THREADS)
                .define(STREAMS_MAX)
                .define(STREAMS_HEARTBEAT)
                .define(SUBMIT_ENABLED);
    }
}
