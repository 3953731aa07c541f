package io.grnstream.notifier;

import io.grnstream.config.GrnConfig;
import java.time.Duration;
import java.util.List;

/** The settings the webhook processor works with, resolved once. */
record NotifierOptions(String secret, List<String> allowedPrefixes, Duration timeout, int maxAttempts,
                       Duration initialBackoff, Duration maxBackoff, Duration hookRetention) {

    static NotifierOptions from(GrnConfig config) {
        return new NotifierOptions(config.get(NotifierSettings.SECRET), config.get(NotifierSettings.ALLOWED_PREFIXES),
                config.get(NotifierSettings.TIMEOUT), config.get(NotifierSettings.MAX_ATTEMPTS),
                config.get(NotifierSettings.INITIAL_BACKOFF), config.get(NotifierSettings.MAX_BACKOFF),
                config.get(NotifierSettings.HOOK_RETENTION));
    }
}
