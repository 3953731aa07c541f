package io.grnstream.geometry;

/**
 * The shape of one generated video and of its latent (GRN-METHOD.md 1.5): F frames at fps, T' =
 * 1 + (F - 1) / temporalStride latent frames, a latentHeight x latentWidth grid of cells of
 * spatialStride pixels, C channels per cell.
 */
public record VideoGeometry(int frames, int fps, int latentFrames, int latentHeight, int latentWidth, int channels,
                            int spatialStride, int temporalStride) {

    public VideoGeometry {
        if (frames < 1 || fps < 1 || latentHeight < 1 || latentWidth < 1 || channels < 1 || spatialStride < 1
                || temporalStride < 1) {
            throw new IllegalArgumentException("non-positive geometry: " + description(frames, fps, latentFrames,
                    latentHeight, latentWidth, channels));
        }
        if (latentFrames != GeometryRules.latentFramesFor(frames, temporalStride)) {
            throw new IllegalArgumentException(frames + " frames need " + GeometryRules.latentFramesFor(frames,
                    temporalStride) + " latent frames, not " + latentFrames);
        }
    }

    /** Visual tokens N = T' x h x w, in (t, h, w) raster order. */
    public int tokens() {
        return latentFrames * latentHeight * latentWidth;
    }

    public int pixelHeight() {
        return latentHeight * spatialStride;
    }

    public int pixelWidth() {
        return latentWidth * spatialStride;
    }

    public double durationSeconds() {
        return frames / (double) fps;
    }

    @Override
    public String toString() {
        return description(frames, fps, latentFrames, latentHeight, latentWidth, channels) + " = "
                + pixelWidth() + "x" + pixelHeight() + " px";
    }

    private static String description(int frames, int fps, int latentFrames, int h, int w, int channels) {
        return frames + " frames @ " + fps + " fps, latent [" + channels + ", " + latentFrames + ", " + h + ", " + w + "]";
    }
}
