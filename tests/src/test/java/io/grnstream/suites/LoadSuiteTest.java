package io.grnstream.suites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.cli.LocalPipeline;
import io.grnstream.client.GrnClient;
import io.grnstream.client.RequestHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 100 requests queued at once and drained by the embedded pipeline: all complete, the heap stays
 * bounded while they wait, and throughput does not collapse as the queue drains.
 */
class LoadSuiteTest {
    private static final Path MODEL = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();
    private static final int REQUESTS = 100;
    @TempDir
    Path work;

    @Test
    void aHundredQueuedRequestsDrainWithBoundedHeapAndSteadyThroughput() throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong peakHeap = new AtomicLong();
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        try (LocalPipeline pipeline = LocalPipeline.start(work, MODEL, null);
             GrnClient client = new GrnClient(pipeline.clientConfig())) {
            sampler.start();
            ConcurrentLinkedQueue<Long> completions = new ConcurrentLinkedQueue<>();
            List<RequestHandle> handles = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < REQUESTS; i++) {
                RequestHandle h = client.submit(GenerationRequest.newBuilder().setRequestId("load-" + i)
                        .setPrompt("a magenta square moving left on a striped background").setSeed(i)
                        .setStepPolicy(new FixedSteps(4)).build());
                h.video().thenRun(() -> completions.add(System.nanoTime()));
                handles.add(h);
            }
            for (RequestHandle h : handles) {
                h.video().get(10, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            assertEquals(REQUESTS, completions.size());

            List<Long> times = new ArrayList<>(completions);
            times.sort(Long::compare);
            double[] rates = new double[4];
            for (int q = 0; q < 4; q++) {
                long from = q == 0 ? start : times.get(q * REQUESTS / 4 - 1);
                long to = times.get((q + 1) * REQUESTS / 4 - 1);
                rates[q] = (REQUESTS / 4.0) / Math.max(1e-3, (to - from) / 1e9);
            }
            double slowest = Math.min(Math.min(rates[0], rates[1]), Math.min(rates[2], rates[3]));
            double fastest = Math.max(Math.max(rates[0], rates[1]), Math.max(rates[2], rates[3]));
            System.out.printf("load: %d requests in %.1f s (%.2f videos/s); videos/s by quarter %.2f %.2f %.2f %.2f;"
                    + " peak heap %d MB of %d MB%n", REQUESTS, seconds, REQUESTS / seconds, rates[0], rates[1], rates[2],
                    rates[3], peakHeap.get() >> 20, memory.getHeapMemoryUsage().getMax() >> 20);
            assertTrue(slowest >= 0.25 * fastest, "throughput collapsed: quarters " + java.util.Arrays.toString(rates));
            assertTrue(peakHeap.get() < 700L << 20, "peak heap " + (peakHeap.get() >> 20) + " MB");
        }
    }
}
