package io.grnstream.assembler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.atomic.AtomicInteger;

/** The assembler's Prometheus meters. */
final class AssemblerMetrics {
    final Timer assemblyLatency;
    final Timer muxTime;
    final DistributionSummary encodeFps;
    final DistributionSummary videoBytes;
    final Counter videos;
    final Counter duplicateChunks;
    final Counter timeouts;
    final Counter cancelled;
    final AtomicInteger openRequests = new AtomicInteger();
    private final MeterRegistry registry;

    AssemblerMetrics(MeterRegistry registry) {
        this.registry = registry;
        assemblyLatency = Timer.builder("grn.assembler.assembly.latency")
                .description("first chunk received to VideoReady published").register(registry);
        muxTime = Timer.builder("grn.assembler.mux.time").description("FFmpeg encode and mux of one video").register(registry);
        encodeFps = DistributionSummary.builder("grn.assembler.encode.fps")
                .description("frames encoded per second of mux time").register(registry);
        videoBytes = DistributionSummary.builder("grn.assembler.video.bytes").baseUnit("bytes")
                .description("size of each MP4").register(registry);
        videos = Counter.builder("grn.assembler.videos").description("VideoReady records published").register(registry);
        duplicateChunks = Counter.builder("grn.assembler.duplicate.chunks")
                .description("chunks already received or arriving after the video was finished").register(registry);
        timeouts = Counter.builder("grn.assembler.timeouts").description("requests whose chunks stopped arriving")
                .register(registry);
        cancelled = Counter.builder("grn.assembler.cancelled").description("requests cancelled while being assembled")
                .register(registry);
        registry.gauge("grn.assembler.open.requests", openRequests);
    }

    void deadLetter(String errorType) {
        Counter.builder("grn.assembler.dead.letters").tag("error.type", errorType).register(registry).increment();
    }
}
