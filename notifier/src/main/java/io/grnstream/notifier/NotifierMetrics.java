package io.grnstream.notifier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The notifier's Prometheus meters. */
final class NotifierMetrics {
    private final MeterRegistry registry;

    NotifierMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Deliveries by outcome: delivered, retried, abandoned, refused_url. */
    Counter outcome(String outcome) {
        return Counter.builder("grn.notifier.webhooks").tag("outcome", outcome)
                .description("webhook attempts and registrations by outcome").register(registry);
    }
}
