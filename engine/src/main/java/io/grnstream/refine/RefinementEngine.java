package io.grnstream.refine;

import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.TextEncoder;
import io.grnstream.sampling.LogitMath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GRN global refinement (GRN-METHOD.md 3.1) with continuous batching: one forward pass serves one
 * step of every active request, conditional and unconditional rows together; requests join and
 * leave between passes, as LLM servers batch by iteration. Each request's arithmetic touches only
 * its own rows and its own counter-indexed draws, so its bits do not depend on what it was
 * batched with.
 * <p>Per pass and request: guidance l = g_u + w (g_c - g_u) on the logit gaps (the unconditional
 * row is skipped when w = 1), then l / tau, then every bit sampled independently, Y = u &lt;
 * sigmoid(l); the next map keeps each bit of Y with the scheduled ratio (else the fixed noise R)
 * and the realized keep ratio is fed back as progress. The result is the last pass's Y.
 */
public final class RefinementEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RefinementEngine.class);
    /** Safety cap on passes, whatever a policy says. */
    static final int MAX_PASSES = 1000;

    private final RefinerNetwork network;
    private final TextEncoder text;
    private final int maxBatch;
    private final LinkedBlockingQueue<RefinementJob> pending = new LinkedBlockingQueue<>();
    private final List<RefinementJob> active = new ArrayList<>();
    private final Thread loop;
    private volatile boolean running = true;

    public RefinementEngine(RefinerNetwork network, TextEncoder text, int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1");
        }
        this.network = network;
        this.text = text;
        this.maxBatch = maxBatch;
        this.loop = io.grnstream.model.InferenceRuntime.nativeThread(this::run, "refinement-engine");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /** Encodes the prompts and queues the request; it joins the batch at the next pass. */
    public RefinementJob submit(RefinementRequest request) {
        int maxPasses = request.policy() instanceof StepPolicy.Fixed f ? f.steps()
                : ((StepPolicy.EntropyGuided) request.policy()).maxSteps();
        RefinementJob job = new RefinementJob(request, text.encode(request.prompt()),
                text.encode(request.negativePrompt()), network.tokens() * network.bitsPerToken(), maxPasses);
        pending.add(job);
        return job;
    }

    /** Requests currently holding a batch slot. */
    public synchronized int activeCount() {
        return active.size();
    }

    private void run() {
        while (running) {
            try {
                if (active.isEmpty()) {
                    RefinementJob next = pending.poll(100, TimeUnit.MILLISECONDS);
                    if (next != null) {
                        admit(next);
                    }
                    continue;
                }
                iterate();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                log.error("refinement pass failed; failing the {} requests in it", active.size(), e);
                synchronized (this) {
                    active.forEach(j -> j.result.completeExceptionally(e));
                    active.clear();
                }
            }
        }
    }

    private synchronized void admit(RefinementJob job) {
        job.startedNanos = System.nanoTime();
        active.add(job);
    }

    /** One forward pass for every active request. */
    private void iterate() {
        synchronized (this) {
            RefinementJob next;
            while (active.size() < maxBatch && (next = pending.poll()) != null) {
                admit(next);
            }
            active.removeIf(job -> {
                if (job.cancelled()) {
                    job.completeCancelled();
                    return true;
                }
                return false;
            });
        }
        List<RefinementJob> batch;
        synchronized (this) {
            batch = List.copyOf(active);
        }
        if (batch.isEmpty()) {
            return;
        }
        List<RefinerNetwork.Row> rows = new ArrayList<>(2 * batch.size());
        for (RefinementJob job : batch) {
            rows.add(new RefinerNetwork.Row(job.current, job.progress, job.conditional));
        }
        for (RefinementJob job : batch) {
            if (job.guided()) {
                rows.add(new RefinerNetwork.Row(job.current, job.progress, job.unconditional));
            }
        }
        float[][] gaps = network.predict(rows);
        int unconditionalRow = batch.size();
        for (int i = 0; i < batch.size(); i++) {
            RefinementJob job = batch.get(i);
            float[] unconditional = job.guided() ? gaps[unconditionalRow++] : null;
            if (advance(job, gaps[i], unconditional)) {
                synchronized (this) {
                    active.remove(job);
                }
            }
        }
    }

    /** Applies one pass's prediction to a request; true when the request is finished. */
    static boolean advance(RefinementJob job, float[] conditional, float[] unconditional) {
        RefinementRequest r = job.request;
        int n = job.bits;
        int s = job.pass;
        double w = r.guidanceScale();
        double tau = r.temperature();
        double entropy = LogitMath.meanEntropyBits(conditional, 0, n);
        byte[] sampled = new byte[n];
        long draw = job.drawBase(s);
        for (int i = 0; i < n; i++) {
            double c = conditional[i];
            double l = unconditional == null ? c : unconditional[i] + w * (c - unconditional[i]);
            double p1 = 1.0 / (1.0 + Math.exp(-(l / tau)));
            sampled[i] = (byte) (CounterRandom.uniform(r.seed(), draw + i) < p1 ? 1 : 0);
        }
        StepSchedule.Next next = job.schedule.after(s, entropy);
        boolean last = next.last() || s + 1 >= MAX_PASSES;
        long keepDraw = draw + n;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = CounterRandom.uniform(r.seed(), keepDraw + i) < next.keepRatio();
            job.current[i] = keep ? sampled[i] : job.noise[i];
            kept += keep ? 1 : 0;
        }
        job.progress = (float) (kept / (double) n);
        job.entropyTrace[s] = (float) entropy;
        job.keepTrace[s] = job.progress;
        job.pass = s + 1;
        long elapsedMs = (System.nanoTime() - job.startedNanos) / 1_000_000;
        int total = job.schedule.totalPasses();
        long eta = total < 0 ? -1 : elapsedMs * (total - job.pass) / job.pass;
        try {
            r.listener().onStep(new StepListener.StepProgress(r.requestId(), job.pass, last ? job.pass : total, entropy,
                    job.progress, elapsedMs, last ? 0 : eta));
        } catch (RuntimeException e) {
            log.warn("step listener of {} failed: {}", r.requestId(), e.toString());
        }
        if (last) {
            job.result.complete(new RefinementResult(r.requestId(), sampled, job.pass, r.policy().describe(),
                    Arrays.copyOf(job.entropyTrace, job.pass), Arrays.copyOf(job.keepTrace, job.pass), elapsedMs));
        }
        return last;
    }

    /** Stops the loop; requests still queued or active are cancelled. */
    @Override
    public void close() {
        running = false;
        loop.interrupt();
        try {
            loop.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            active.forEach(j -> {
                j.cancel("engine stopped");
                j.completeCancelled();
            });
            active.clear();
        }
        RefinementJob job;
        while ((job = pending.poll()) != null) {
            job.cancel("engine stopped");
            job.completeCancelled();
        }
    }
}
