package io.grnstream.suites;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The attribute evaluator of training/grn_tiny/evaluator.py, ported rule for rule (no learning):
 * colour from pixel hue, shape from bounding-box fill ratio, direction from centroid motion,
 * background from the non-object pixels. Frames are RGB bytes at the model's 64 x 64; a decoded
 * MP4 is averaged back down to that first ({@link #downscale}).
 */
final class AttributeEvaluator {
    static final String[] COLORS = {"red", "green", "blue", "yellow", "magenta", "cyan"};
    private static final float[][] PALETTE = {
            {0.95f, 0.10f, 0.10f}, {0.10f, 0.85f, 0.10f}, {0.15f, 0.30f, 1.00f},
            {0.95f, 0.90f, 0.10f}, {0.90f, 0.10f, 0.90f}, {0.10f, 0.90f, 0.90f}};
    private static final double SATURATION = 0.35;
    private static final int MIN_AREA = 40;
    private static final double[] PALETTE_HUES = Arrays.stream(PALETTE).mapToDouble(c -> hue(c[0], c[1], c[2])).toArray();

    record DetectedObject(String color, String shape, String direction, double area, double fill) {
    }

    record Verdict(List<DetectedObject> objects, String background) {
        DetectedObject byColor(String color) {
            return objects.stream().filter(o -> o.color().equals(color)).findFirst().orElse(null);
        }
    }

    /** What a caption of the grammar asks for. */
    record Wanted(List<DetectedObject> objects, String background) {
        static Wanted parse(String caption) {
            String[] w = caption.split(" ");
            List<DetectedObject> objs = new ArrayList<>();
            int i = 0;
            while (true) {
                objs.add(new DetectedObject(w[i + 1], w[i + 2], w[i + 4], 0, 0));
                i += 5;
                if (!w[i].equals("and")) {
                    break;
                }
                i++;
            }
            return new Wanted(objs, w[i + 2]);
        }
    }

    private AttributeEvaluator() {
    }

    /** rgb: [frames][height][width][3] bytes, row-major. */
    static Verdict analyse(byte[] rgb, int frames, int height, int width) {
        int pixels = height * width;
        boolean[] fg = new boolean[frames * pixels];
        int[] label = new int[frames * pixels];
        for (int p = 0; p < frames * pixels; p++) {
            float r = (rgb[3 * p] & 0xff) / 255f;
            float g = (rgb[3 * p + 1] & 0xff) / 255f;
            float b = (rgb[3 * p + 2] & 0xff) / 255f;
            fg[p] = Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > SATURATION;
            double h = hue(r, g, b);
            int best = 0;
            double bestDist = Double.MAX_VALUE;
            for (int k = 0; k < PALETTE_HUES.length; k++) {
                double d = Math.abs(circular(h - PALETTE_HUES[k]));
                if (d < bestDist) {
                    bestDist = d;
                    best = k;
                }
            }
            label[p] = best;
        }
        List<DetectedObject> objects = new ArrayList<>();
        for (int k = 0; k < COLORS.length; k++) {
            int[] count = new int[frames];
            for (int f = 0; f < frames; f++) {
                for (int i = 0; i < pixels; i++) {
                    int p = f * pixels + i;
                    if (fg[p] && label[p] == k) {
                        count[f]++;
                    }
                }
            }
            double medianCount = median(Arrays.stream(count).asDoubleStream().toArray());
            if (medianCount < MIN_AREA) {
                continue;
            }
            List<Double> fills = new ArrayList<>();
            List<Double> cx = new ArrayList<>();
            List<Double> cy = new ArrayList<>();
            for (int f = 0; f < frames; f++) {
                if (count[f] < MIN_AREA / 2) {
                    continue;
                }
                int minX = width, maxX = -1, minY = height, maxY = -1;
                double sx = 0, sy = 0;
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int p = f * pixels + y * width + x;
                        if (fg[p] && label[p] == k) {
                            minX = Math.min(minX, x);
                            maxX = Math.max(maxX, x);
                            minY = Math.min(minY, y);
                            maxY = Math.max(maxY, y);
                            sx += x;
                            sy += y;
                        }
                    }
                }
                fills.add(count[f] / (double) ((maxX - minX + 1) * (maxY - minY + 1)));
                cx.add(sx / count[f]);
                cy.add(sy / count[f]);
            }
            double fill = median(fills.stream().mapToDouble(Double::doubleValue).toArray());
            String shape = fill < 0.64 ? "triangle" : fill < 0.89 ? "circle" : "square";
            int n = Math.max(1, cx.size() / 4);
            double dx = mean(cx.subList(cx.size() - n, cx.size())) - mean(cx.subList(0, n));
            double dy = mean(cy.subList(cy.size() - n, cy.size())) - mean(cy.subList(0, n));
            String dir = Math.abs(dx) >= Math.abs(dy) ? (dx > 0 ? "right" : "left") : (dy > 0 ? "down" : "up");
            objects.add(new DetectedObject(COLORS[k], shape, dir, medianCount, fill));
        }
        objects.sort(Comparator.comparingDouble(DetectedObject::area).reversed());
        double sum = 0;
        double sumSq = 0;
        long n = 0;
        for (int p = 0; p < frames * pixels; p++) {
            if (!fg[p]) {
                double v = ((rgb[3 * p] & 0xff) + (rgb[3 * p + 1] & 0xff) + (rgb[3 * p + 2] & 0xff)) / (3 * 255.0);
                sum += v;
                sumSq += v * v;
                n++;
            }
        }
        double mean = n == 0 ? 0 : sum / n;
        double std = n == 0 ? 0 : Math.sqrt(Math.max(0, sumSq / n - mean * mean));
        String background = std > 0.09 ? "striped" : mean < 0.25 ? "black" : "gray";
        return new Verdict(objects, background);
    }

    /** Everything the caption asks for is there, nothing more (the training evaluator's "all"). */
    static boolean matches(Verdict v, String caption) {
        Wanted want = Wanted.parse(caption);
        if (v.objects().size() != want.objects().size() || !v.background().equals(want.background())) {
            return false;
        }
        for (DetectedObject o : want.objects()) {
            DetectedObject d = v.byColor(o.color());
            if (d == null || !d.shape().equals(o.shape()) || !d.direction().equals(o.direction())) {
                return false;
            }
        }
        return true;
    }

    /** Averages factor x factor blocks: the assembler's nearest-neighbour upscale, undone. */
    static byte[] downscale(byte[] rgb, int frames, int height, int width, int factor) {
        int h = height / factor;
        int w = width / factor;
        byte[] out = new byte[frames * h * w * 3];
        for (int f = 0; f < frames; f++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int c = 0; c < 3; c++) {
                        int s = 0;
                        for (int dy = 0; dy < factor; dy++) {
                            for (int dx = 0; dx < factor; dx++) {
                                s += rgb[((f * height + y * factor + dy) * width + x * factor + dx) * 3 + c] & 0xff;
                            }
                        }
                        out[((f * h + y) * w + x) * 3 + c] = (byte) Math.round(s / (double) (factor * factor));
                    }
                }
            }
        }
        return out;
    }

    private static double hue(float r, float g, float b) {
        float mx = Math.max(r, Math.max(g, b));
        float mn = Math.min(r, Math.min(g, b));
        double d = Math.max(mx - mn, 1e-6);
        double h;
        if (mx == r) {
            h = pyMod((g - b) / d, 6);
        } else if (mx == g) {
            h = (b - r) / d + 2;
        } else {
            h = (r - g) / d + 4;
        }
        return h * 60.0;
    }

    /** Python's % (the result takes the divisor's sign). */
    private static double pyMod(double a, double m) {
        double r = a % m;
        return r < 0 ? r + m : r;
    }

    private static double circular(double degrees) {
        return pyMod(degrees + 180, 360) - 180;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}
