package io.grnstream.client;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.Setting;
import io.grnstream.config.SettingType;

/** The client's settings (the {@code grn} command's too), on top of the shared ones. */
public final class ClientSettings {
    private ClientSettings() {
    }

    public static final Setting<String> STATUS_URL = Setting.of("status.url", SettingType.STRING, "",
            "base URL of the status service (http://host:8090); status lookups ask it instead of reading the"
                    + " id's events partition, and fall back to that read when it does not answer");

    public static ConfigDefinition definition() {
        return CommonSettings.definition("grn").define(STATUS_URL);
    }
}
