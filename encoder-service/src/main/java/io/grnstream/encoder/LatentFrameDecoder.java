package io.grnstream.encoder;

import io.grnstream.geometry.VideoGeometry;
import io.grnstream.model.VaeNetwork;

/**
 * Decodes a dequantized latent video one latent frame at a time, as the causal decoder allows:
 * latent frame 0 gives video frame 0; latent frame t gives frames 1 + 4(t - 1) .. 4t, decoded from
 * [z_0, z_t] with the first output frame dropped. Only one latent frame's pixels exist at a time.
 * <p>The bundled decoder has no temporal state across latent frames (its manifest says so), so
 * [z_0, z_t] reproduces the whole-clip decode exactly; a decoder with temporal caches would take
 * them as explicit inputs instead.
 */
public final class LatentFrameDecoder {
    private final VaeNetwork decoder;

    public LatentFrameDecoder(VaeNetwork decoder) {
        this.decoder = decoder;
    }

    /** Frames produced by one latent frame, as floats [3, frames, H, W] in about [-1, 1]. */
    public record DecodedFrames(int firstFrame, int frameCount, int width, int height, float[] chw) {
    }

    /**
     * @param latent channel-major [C, T', h, w] (as {@code LatentVideoPacker.dequantize} gives it)
     * @param t      the latent frame to decode
     */
    public DecodedFrames decode(float[] latent, VideoGeometry g, int t) {
        int c = g.channels();
        int plane = g.latentHeight() * g.latentWidth();
        int frames = t == 0 ? 1 : 2;
        float[] z = new float[c * frames * plane];
        for (int ch = 0; ch < c; ch++) {
            int src = (ch * g.latentFrames()) * plane;
            int dst = ch * frames * plane;
            System.arraycopy(latent, src, z, dst, plane);
            if (t > 0) {
                System.arraycopy(latent, src + t * plane, z, dst + plane, plane);
            }
        }
        VaeNetwork.Tensor out = decoder.run(z, new long[] {1, c, frames, g.latentHeight(), g.latentWidth()});
        int outFrames = (int) out.shape()[2];
        int height = (int) out.shape()[3];
        int width = (int) out.shape()[4];
        if (t == 0) {
            return new DecodedFrames(0, outFrames, width, height, out.data());
        }
        int keep = outFrames - 1;
        int framePixels = height * width;
        float[] kept = new float[3 * keep * framePixels];
        for (int ch = 0; ch < 3; ch++) {
            System.arraycopy(out.data(), (ch * outFrames + 1) * framePixels, kept, ch * keep * framePixels,
                    keep * framePixels);
        }
        return new DecodedFrames(1 + g.temporalStride() * (t - 1), keep, width, height, kept);
    }

    /**
     * RGB24 bytes, frames back to back, rows top to bottom: round(clamp((v + 1) / 2, 0, 1) x 255),
     * the bundle's conversion.
     */
    public static byte[] toRgb24(DecodedFrames d) {
        int pixels = d.width() * d.height();
        byte[] out = new byte[d.frameCount() * pixels * 3];
        for (int f = 0; f < d.frameCount(); f++) {
            for (int p = 0; p < pixels; p++) {
                for (int ch = 0; ch < 3; ch++) {
                    float v = d.chw()[(ch * d.frameCount() + f) * pixels + p];
                    float unit = Math.max(0f, Math.min(1f, (v + 1f) / 2f));
                    out[(f * pixels + p) * 3 + ch] = (byte) Math.round(unit * 255f);
                }
            }
        }
        return out;
    }
}
