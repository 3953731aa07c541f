package io.grnstream.encoder;

import io.grnstream.hbq.HbqCodec;
import io.grnstream.model.VaeNetwork;

/**
 * The other direction of the codec: frames through the bundle's encoder, HBQ with M rounds, and
 * back through the decoder. It measures tokenizer fidelity (PSNR per round count) and gives the
 * HBQ bits of an existing video, the starting point for refining from one.
 */
public final class Reconstruction {
    private final VaeNetwork encoder;
    private final VaeNetwork decoder;

    public Reconstruction(VaeNetwork encoder, VaeNetwork decoder) {
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /** Bits in bit form ([N][M*C]) and the decoded frames ([1, 3, F, H, W]) of one clip. */
    public record Result(byte[] bits, int tokens, float[] decoded, double psnrDb) {
    }

    /** @param frames [1, 3, F, H, W] in [-1, 1], F = 1 + 4k */
    public Result roundTrip(float[] frames, long[] shape, int rounds) {
        VaeNetwork.Tensor latent = encoder.run(frames, shape);
        long[] z = latent.shape();
        int channels = (int) z[1];
        int tokens = (int) (z[2] * z[3] * z[4]);
        HbqCodec codec = new HbqCodec(channels, rounds);
        byte[] bits = new byte[tokens * codec.bitsPerToken()];
        codec.quantize(latent.data(), tokens, bits);
        float[] quantized = new float[latent.data().length];
        codec.dequantize(bits, tokens, quantized);
        VaeNetwork.Tensor decoded = decoder.run(quantized, z);
        return new Result(bits, tokens, decoded.data(), psnr(frames, decoded.data()));
    }

    /** PSNR in dB of two [-1, 1] signals, peak-to-peak 2, after clamping the reconstruction. */
    public static double psnr(float[] reference, float[] reconstruction) {
        double sum = 0;
        for (int i = 0; i < reference.length; i++) {
            double d = reference[i] - Math.max(-1f, Math.min(1f, reconstruction[i]));
            sum += d * d;
        }
        double mse = sum / reference.length;
        return 10 * Math.log10(4.0 / Math.max(mse, 1e-12));
    }
}
