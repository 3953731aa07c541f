package io.grnstream.geometry;

import io.grnstream.errors.InvalidRequestException;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a model family turns a request's frames or duration, fps, aspect ratio and resolution preset
 * into a {@link VideoGeometry} (GRN-METHOD.md 1.5 and 7.7), and what it refuses.
 *
 * <ul>
 *   <li>Frames: F = 1 + stride_t x k. An explicit frame count must already have that form; a
 *       duration becomes min(maxFrames, floor(fps x seconds + 1)), then rounds down to that form
 *       (the official pipeline's T' = (F - 1) // 4 + 1 does the same).</li>
 *   <li>Grid: a preset names a side s in latent cells; for aspect r = h / w, snapped to the nearest
 *       template, w = round(sqrt(s^2 / r)) and h = round(w r), rounding half to even as Python
 *       does. Pixels = spatial stride x cells.</li>
 *   <li>Aspect ratios are written W:H as video people do ("16:9" is landscape); templates are kept
 *       as h / w truncated to three decimals, as the official code keys them.</li>
 * </ul>
 */
public record GeometryRules(int channels, int spatialStride, int temporalStride, int maxFrames, int defaultFps,
                            int maxFps, double defaultDurationSeconds, Map<String, Integer> presetSides,
                            String defaultPreset, List<Double> aspectTemplates, double defaultAspect) {

    /** h / w keys of the official templates: 3, 5/2, 2, 16/9, 3/2, 4/3, 1.16, 1, 1/1.16, 3/4, 2/3, 9/16, 1/2, 2/5, 1/3. */
    public static final List<Double> GRN_ASPECT_TEMPLATES = List.of(3.0, 2.5, 2.0, 1.777, 1.5, 1.333, 1.16, 1.0,
            0.862, 0.75, 0.666, 0.562, 0.5, 0.4, 0.333);

    /** Most extreme h / w accepted before snapping; anything further is a mistake, not a wish. */
    private static final double MAX_ASPECT = 4.0;

    public GeometryRules {
        presetSides = Map.copyOf(new LinkedHashMap<>(presetSides));
        aspectTemplates = List.copyOf(aspectTemplates);
        if (!presetSides.containsKey(defaultPreset)) {
            throw new IllegalArgumentException("default preset " + defaultPreset + " is not among " + presetSides.keySet());
        }
    }

    /** The released GRN text-to-video family: 64 channels, 16x spatial, 4x temporal, up to 81 frames at 16 fps. */
    public static GeometryRules grnTextToVideo() {
        Map<String, Integer> presets = new LinkedHashMap<>();
        presets.put("0.06M", 16);
        presets.put("0.25M", 32);
        presets.put("0.41M", 40);
        presets.put("0.92M", 60);
        presets.put("1M", 64);
        presets.put("2M", 90);
        return new GeometryRules(64, 16, 4, 81, 16, 60, 2.0, presets, "0.41M", GRN_ASPECT_TEMPLATES, 0.562);
    }

    /** Latent frames for F frames: 1 + (F - 1) / stride_t, F counted as 1 + stride_t x k. */
    public static int latentFramesFor(int frames, int temporalStride) {
        return 1 + (frames - 1) / temporalStride;
    }

    public int framesFor(int latentFrames) {
        return 1 + temporalStride * (latentFrames - 1);
    }

    /**
     * Resolves a request's geometry fields (nulls take this family's defaults), with a typed error
     * naming the field for anything impossible.
     */
    public VideoGeometry resolve(Integer frames, Double durationSeconds, Integer fps, String aspectRatio, String preset) {
        int effectiveFps = fps == null ? defaultFps : fps;
        if (effectiveFps < 1 || effectiveFps > maxFps) {
            throw new InvalidRequestException("fps", "must be in [1, " + maxFps + "], got " + effectiveFps);
        }
        int effectiveFrames = resolveFrames(frames, durationSeconds, effectiveFps);
        int side = resolvePresetSide(preset);
        double ratio = snapAspect(parseAspect(aspectRatio));
        int width = (int) Math.rint(Math.sqrt(side * (double) side / ratio));
        int height = (int) Math.rint(width * ratio);
        return new VideoGeometry(effectiveFrames, effectiveFps, latentFramesFor(effectiveFrames, temporalStride),
                Math.max(1, height), Math.max(1, width), channels, spatialStride, temporalStride);
    }

    private int resolveFrames(Integer frames, Double durationSeconds, int fps) {
        if (frames != null && durationSeconds != null) {
            throw new InvalidRequestException("frames", "give frames or durationSeconds, not both");
        }
        if (frames != null) {
            if (frames < 1 || frames > maxFrames) {
                throw new InvalidRequestException("frames", "must be in [1, " + maxFrames + "], got " + frames);
            }
            if ((frames - 1) % temporalStride != 0) {
                int below = frames - (frames - 1) % temporalStride;
                throw new InvalidRequestException("frames", "must be 1 + " + temporalStride + "k (the latent holds "
                        + temporalStride + " frames per step after the first); nearest valid: " + below + " or "
                        + Math.min(maxFrames, below + temporalStride) + ", got " + frames);
            }
            return frames;
        }
        double seconds = durationSeconds == null ? defaultDurationSeconds : durationSeconds;
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new InvalidRequestException("durationSeconds", "must be a positive number of seconds, got " + seconds);
        }
        long wanted = (long) Math.floor(fps * seconds + 1);
        int capped = (int) Math.min(maxFrames, wanted);
        return capped - (capped - 1) % temporalStride;
    }

    private int resolvePresetSide(String preset) {
        String name = preset == null ? defaultPreset : preset;
        Integer side = presetSides.get(name);
        if (side == null) {
            throw new InvalidRequestException("resolutionPreset", "unknown preset '" + name + "'; this model offers "
                    + presetSides.keySet());
        }
        return side;
    }

    /** h / w of "W:H" (e.g. "16:9" gives 0.5625), or the default when null. */
    public double parseAspect(String aspectRatio) {
        if (aspectRatio == null) {
            return defaultAspect;
        }
        String[] parts = aspectRatio.strip().split(":");
        double w;
        double h;
        try {
            if (parts.length != 2) {
                throw new NumberFormatException();
            }
            w = Double.parseDouble(parts[0].strip());
            h = Double.parseDouble(parts[1].strip());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("aspectRatio", "expected W:H such as 16:9 or 1:1, got '" + aspectRatio + "'");
        }
        if (!(w > 0) || !(h > 0) || Double.isInfinite(w) || Double.isInfinite(h)) {
            throw new InvalidRequestException("aspectRatio", "both sides must be positive, got '" + aspectRatio + "'");
        }
        double ratio = h / w;
        if (ratio > MAX_ASPECT || ratio < 1 / MAX_ASPECT) {
            throw new InvalidRequestException("aspectRatio", "'" + aspectRatio + "' is beyond 1:4 .. 4:1");
        }
        return ratio;
    }

    /** The template (h / w key) nearest to a ratio. */
    public double snapAspect(double hOverW) {
        return aspectTemplates.stream().min(Comparator.comparingDouble(t -> Math.abs(t - hOverW))).orElseThrow();
    }
}
