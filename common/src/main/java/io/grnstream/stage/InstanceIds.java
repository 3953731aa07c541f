package io.grnstream.stage;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The identity of a process in events and provenance: {@code instance.id}, or host-pid. */
public final class InstanceIds {
    private InstanceIds() {
    }

    public static String resolve(GrnConfig config, String stage) {
        String configured = config.get(CommonSettings.INSTANCE_ID);
        if (!configured.isBlank()) {
            return configured;
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "unknown-host";
        }
        return stage + "@" + host + "-" + ProcessHandle.current().pid();
    }
}
