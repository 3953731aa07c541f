package io.grnstream.refine;

import io.grnstream.errors.RequestCancelledException;
import io.grnstream.model.TextCondition;
import java.util.concurrent.CompletableFuture;

/**
 * One request inside the engine: its fixed random map R, current map X, progress and schedule.
 * Every random draw is indexed (GRN-METHOD.md 3.1 order): R takes draws [0, n); pass s takes
 * [n + 2sn, n + 2sn + n) for the sampled bits and the next n for the keep mask, n = N x M x C.
 */
public final class RefinementJob {
    final RefinementRequest request;
    final TextCondition conditional;
    final TextCondition unconditional;
    final int bits;
    final byte[] noise;
    final byte[] current;
    final StepSchedule schedule;
    final float[] entropyTrace;
    final float[] keepTrace;
    final CompletableFuture<RefinementResult> result = new CompletableFuture<>();
    float progress;
    int pass;
    long startedNanos;
    private volatile String cancelReason;

    RefinementJob(RefinementRequest request, TextCondition conditional, TextCondition unconditional, int bits,
                  int maxPasses) {
        this.request = request;
        this.conditional = conditional;
        this.unconditional = unconditional;
        this.bits = bits;
        this.noise = new byte[bits];
        for (int i = 0; i < bits; i++) {
            noise[i] = (byte) (CounterRandom.uniform(request.seed(), i) < 0.5 ? 1 : 0);
        }
        this.current = noise.clone();
        this.schedule = new StepSchedule(request.policy());
        this.entropyTrace = new float[maxPasses];
        this.keepTrace = new float[maxPasses];
    }

    public String requestId() {
        return request.requestId();
    }

    /** Completes with the result, or with {@link RequestCancelledException} after a cancel. */
    public CompletableFuture<RefinementResult> result() {
        return result;
    }

    /** Stops the request before its next forward pass and frees its batch slot. */
    public void cancel(String reason) {
        cancelReason = reason == null ? "cancelled" : reason;
    }

    boolean cancelled() {
        return cancelReason != null;
    }

    void completeCancelled() {
        result.completeExceptionally(new RequestCancelledException("request " + requestId() + " cancelled after "
                + pass + " passes: " + cancelReason));
    }

    boolean guided() {
        return request.guidanceScale() != 1.0;
    }

    long drawBase(int s) {
        return bits + 2L * s * bits;
    }
}
