package io.grnstream.refine;

import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.TextEncoder;
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
 * and the realized keep ratio is fed back as progress. The result is the last pass's Y. The per-bit
 * work runs in parallel chunks ({@link PassArithmetic}) with the same result on any thread count.
 */
public final class RefinementEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RefinementEngine.class);
    /** Safety cap on passes, whatever a policy says. */
    static final int MAX_PASSES = 1000;

    private final RefinerNetwork network;
    private final TextEncoder text;
    private final int maxBatch;
    private final PassArithmetic arithmetic;
    private final LinkedBlockingQueue<RefinementJob> pending = new LinkedBlockingQueue<>();
    private final List<RefinementJob> active = new ArrayList<>();
    private final Thread loop;
    private volatile boolean running = true;

    public RefinementEngine(RefinerNetwork network, TextEncoder text, int maxBatch) {
        this(network, text, maxBatch, 1);
    }

    /**
     * @param samplingThreads threads for the per-bit arithmetic between forward passes (sampling,
     *     entropy, keep mask); results do not depend on it, 1 runs it on the engine's own thread
     */
    public RefinementEngine(RefinerNetwork network, TextEncoder text, int maxBatch, int samplingThreads) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("max batch must be at least 1");
        }
        this.network = network;
        this.text = text;
        this.maxBatch = maxBatch;
        this.arithmetic = new PassArithmetic(samplingThreads);
        this.loop = InferenceRuntime.nativeThread(this::run, "refinement-engine");
        this.loop.setDaemon(true);
        this.loop.start();
    }

    /**
     * Sampling threads for a worker: {@code configured} when positive; else on CUDA one per core,
     * and on the CPU the cores ONNX Runtime's intra-op threads leave (they spin between runs, so
     * sharing their cores slows every pass; measured on 2 cores: Java-side share 0.14 with one
     * sampling thread, 0.20 with two). {@code intraOpThreads} 0 means ONNX Runtime's default, one per core.
     */
    public static int samplingThreads(int configured, InferenceRuntime.Provider provider, int intraOpThreads) {
        if (configured > 0) {
            return configured;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        if (provider == InferenceRuntime.Provider.CUDA) {
            return cores;
        }
        return Math.max(1, cores - (intraOpThreads > 0 ? intraOpThreads : cores));
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
        List<PassArithmetic.Work> works = new ArrayList<>(batch.size());
        int unconditionalRow = batch.size();
        for (int i = 0; i < batch.size(); i++) {
            RefinementJob job = batch.get(i);
            works.add(new PassArithmetic.Work(job, gaps[i], job.guided() ? gaps[unconditionalRow++] : null));
        }
        arithmetic.sample(works);
        boolean[] last = new boolean[works.size()];
        for (int i = 0; i < works.size(); i++) {
            PassArithmetic.Work work = works.get(i);
            StepSchedule.Next next = work.job.schedule.after(work.job.pass, work.entropy());
            work.keepRatio = next.keepRatio();
            last[i] = next.last() || work.job.pass + 1 >= MAX_PASSES;
        }
        arithmetic.keep(works);
        for (int i = 0; i < works.size(); i++) {
            if (finish(works.get(i), last[i])) {
                synchronized (this) {
                    active.remove(works.get(i).job);
                }
            }
        }
    }

    /** Records a request's pass, reports progress and completes it on its last pass; true when finished. */
    private static boolean finish(PassArithmetic.Work work, boolean last) {
        RefinementJob job = work.job;
        RefinementRequest r = job.request;
        int s = job.pass;
        double entropy = work.entropy();
        job.progress = (float) (work.kept() / (double) job.bits);
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
            job.result.complete(new RefinementResult(r.requestId(), work.sampled, job.pass, r.policy().describe(),
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
        arithmetic.close();
    }
}
