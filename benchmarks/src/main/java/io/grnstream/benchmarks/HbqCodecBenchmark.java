package io.grnstream.benchmarks;

import io.grnstream.hbq.HbqCodec;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * HBQ over a 5 s 480p latent (64 channels, 21 x 30 x 53 tokens, M = 4): the codec's two
 * directions against copying the same float data with System.arraycopy.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class HbqCodecBenchmark {
    static final int CHANNELS = 64;
    static final int TOKENS = 21 * 30 * 53;
    static final int ROUNDS = 4;

    private final HbqCodec codec = new HbqCodec(CHANNELS, ROUNDS);
    private float[] latent;
    private float[] latentOut;
    private byte[] packed;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        latent = new float[CHANNELS * TOKENS];
        for (int i = 0; i < latent.length; i++) {
            latent[i] = (float) Math.tanh(0.5 * random.nextGaussian());
        }
        latentOut = new float[latent.length];
        packed = new byte[codec.packedBytes(TOKENS)];
        codec.quantizeAndPack(latent, TOKENS, packed);
    }

    @Benchmark
    public float[] arraycopyFloats() {
        System.arraycopy(latent, 0, latentOut, 0, latent.length);
        return latentOut;
    }

    @Benchmark
    public byte[] quantizeAndPack() {
        codec.quantizeAndPack(latent, TOKENS, packed);
        return packed;
    }

    @Benchmark
    public float[] unpackAndDequantize() {
        codec.unpackAndDequantize(packed, TOKENS, latentOut);
        return latentOut;
    }
}
