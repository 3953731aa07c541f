package io.grnstream.refine;

import io.grnstream.sampling.LogitMath;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * The per-bit arithmetic of one forward pass for every request in it: guidance, temperature,
 * sampling and the conditional entropy, then the keep mask. Each request's bits are cut into
 * chunks of {@link #CHUNK} that run in parallel on a small pool between network calls when a pass
 * has enough bits to pay for it (full-size latents have millions per request), so this share of a
 * pass shrinks with the cores a worker has.
 * <p>Chunk boundaries do not depend on the thread count, every draw is counter-indexed, and the
 * partial entropy sums are added in chunk order, so a request's bits and entropy are identical with
 * one thread or many.
 */
final class PassArithmetic implements AutoCloseable {
    static final int CHUNK = 8192;
    /** Below this many bits in a pass, waking pool threads costs more than it saves (measured on the
     * bundled model's 10,240-bit maps: Java-side share 0.12 inline, 0.17 on two threads). */
    static final int PARALLEL_MIN_BITS = 1 << 16;

    private final ForkJoinPool pool;

    /** {@code threads <= 1} runs everything on the calling thread. */
    PassArithmetic(int threads) {
        this.pool = threads > 1 ? new ForkJoinPool(threads) : null;
    }

    /** One request's share of a pass: inputs, the sampled bits and the per-chunk partials. */
    static final class Work {
        final RefinementJob job;
        final float[] conditional;
        final float[] unconditional;
        final byte[] sampled;
        final double[] entropyParts;
        final int[] keptParts;
        double keepRatio;

        Work(RefinementJob job, float[] conditional, float[] unconditional) {
            this.job = job;
            this.conditional = conditional;
            this.unconditional = unconditional;
            this.sampled = new byte[job.bits];
            int chunks = (job.bits + CHUNK - 1) / CHUNK;
            this.entropyParts = new double[chunks];
            this.keptParts = new int[chunks];
        }

        /** Mean entropy in bits of the conditional prediction, summed in chunk order. */
        double entropy() {
            double sum = 0.0;
            for (double part : entropyParts) {
                sum += part;
            }
            return job.bits == 0 ? 0.0 : sum / job.bits;
        }

        int kept() {
            int sum = 0;
            for (int part : keptParts) {
                sum += part;
            }
            return sum;
        }
    }

    /** Samples every bit of every request and sums the conditional entropy per chunk. */
    void sample(List<Work> works) {
        forEachChunk(works, (work, chunk) -> {
            RefinementRequest r = work.job.request;
            double w = r.guidanceScale();
            double tau = r.temperature();
            long draw = work.job.drawBase(work.job.pass);
            float[] c = work.conditional;
            float[] u = work.unconditional;
            int from = chunk * CHUNK;
            int to = Math.min(work.job.bits, from + CHUNK);
            double entropy = 0.0;
            for (int i = from; i < to; i++) {
                entropy += LogitMath.entropyBitsOfGap(c[i]);
                double l = u == null ? c[i] : u[i] + w * (c[i] - u[i]);
                double p1 = 1.0 / (1.0 + Math.exp(-(l / tau)));
                work.sampled[i] = (byte) (CounterRandom.uniform(r.seed(), draw + i) < p1 ? 1 : 0);
            }
            work.entropyParts[chunk] = entropy;
        });
    }

    /** Forms every request's next map from its sampled bits, its noise and its {@code keepRatio}. */
    void keep(List<Work> works) {
        forEachChunk(works, (work, chunk) -> {
            RefinementJob job = work.job;
            long draw = job.drawBase(job.pass) + job.bits;
            int from = chunk * CHUNK;
            int to = Math.min(job.bits, from + CHUNK);
            int kept = 0;
            for (int i = from; i < to; i++) {
                boolean keep = CounterRandom.uniform(job.request.seed(), draw + i) < work.keepRatio;
                job.current[i] = keep ? work.sampled[i] : job.noise[i];
                kept += keep ? 1 : 0;
            }
            work.keptParts[chunk] = kept;
        });
    }

    private interface ChunkTask {
        void run(Work work, int chunk);
    }

    private void forEachChunk(List<Work> works, ChunkTask task) {
        int[] start = new int[works.size() + 1];
        for (int j = 0; j < works.size(); j++) {
            start[j + 1] = start[j] + works.get(j).entropyParts.length;
        }
        int tasks = start[works.size()];
        long bits = 0;
        for (Work work : works) {
            bits += work.job.bits;
        }
        if (pool == null || bits < PARALLEL_MIN_BITS) {
            for (int j = 0; j < works.size(); j++) {
                for (int c = 0; c < works.get(j).entropyParts.length; c++) {
                    task.run(works.get(j), c);
                }
            }
            return;
        }
        pool.submit(() -> IntStream.range(0, tasks).parallel().forEach(t -> {
            int j = 0;
            while (start[j + 1] <= t) {
                j++;
            }
            task.run(works.get(j), t - start[j]);
        })).join();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
