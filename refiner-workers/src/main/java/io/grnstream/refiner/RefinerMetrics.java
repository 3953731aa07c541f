package io.grnstream.refiner;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/** The refiner workers' Prometheus meters. */
final class RefinerMetrics {
    final Timer queueWait;
    final Timer stepLatency;
    final Timer refineTime;
    final DistributionSummary stepsPerRequest;
    final DistributionSummary entropy;
    final Counter steps;
    final Counter latents;
    final Counter rebalances;
    final Counter rejoins;
    final Counter stalls;
    final AtomicInteger inFlight = new AtomicInteger();
    private final MeterRegistry registry;

    RefinerMetrics(MeterRegistry registry, int maxBatch) {
        this.registry = registry;
        queueWait = Timer.builder("grn.refiner.queue.wait").description("request produced to admitted").register(registry);
        stepLatency = Timer.builder("grn.refiner.step.latency").description("one forward pass of a request, as seen by it")
                .register(registry);
        refineTime = Timer.builder("grn.refiner.refine.time").description("refinement of one request").register(registry);
        stepsPerRequest = DistributionSummary.builder("grn.refiner.steps.per.request").register(registry);
        entropy = DistributionSummary.builder("grn.refiner.entropy").description("mean conditional bit entropy per step")
                .register(registry);
        steps = Counter.builder("grn.refiner.steps").description("forward passes, per request").register(registry);
        latents = Counter.builder("grn.refiner.latents").description("latent records committed").register(registry);
        rejoins = Counter.builder("grn.refiner.rejoins")
                .description("group joins retried because a crashed predecessor still held this instance id").register(registry);
        stalls = Counter.builder("grn.refiner.stalls")
                .description("jobs silent past refiner.stall.timeout, each taking its worker down").register(registry);
        rebalances = Counter.builder("grn.refiner.rebalances").description("times partitions were taken from this worker")
                .register(registry);
        registry.gauge("grn.refiner.in.flight", inFlight);
        registry.gauge("grn.refiner.batch.occupancy", inFlight, v -> v.get() / (double) maxBatch);
    }

    void failure(String type) {
        Counter.builder("grn.refiner.failures").tag("error.type", type).register(registry).increment();
    }
}
