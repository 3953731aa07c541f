package io.grnstream.assembler;

import java.util.Locale;

/**
 * Enlarges small RGB24 frames by a whole factor so players show them at a useful size. Nearest
 * keeps the model's pixels as crisp blocks; bilinear smooths them (pixel centres aligned, edges
 * clamped).
 */
public record FrameScaler(Filter filter, int factor) {

    public enum Filter {
        NONE, NEAREST, BILINEAR;

        public static Filter parse(String name) {
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("upscale filter must be none, nearest or bilinear, not '" + name + "'");
            }
        }
    }

    public FrameScaler {
        if (factor < 1) {
            throw new IllegalArgumentException("scale factor must be at least 1");
        }
    }

    /** The smallest whole factor that brings the shorter side to at least minSide (1 when off). */
    public static FrameScaler forDisplay(Filter filter, int width, int height, int minSide) {
        int shorter = Math.min(width, height);
        if (filter == Filter.NONE || minSide <= shorter) {
            return new FrameScaler(Filter.NONE, 1);
        }
        return new FrameScaler(filter, (minSide + shorter - 1) / shorter);
    }

    public int outputWidth(int width) {
        return width * factor;
    }

    public int outputHeight(int height) {
        return height * factor;
    }

    /** Scales one frame (rows top to bottom, 3 bytes per pixel) into {@code out}. */
    public void scale(byte[] in, int inOffset, int width, int height, byte[] out) {
        int outWidth = width * factor;
        int outHeight = height * factor;
        if (factor == 1 || filter == Filter.NONE) {
            System.arraycopy(in, inOffset, out, 0, width * height * 3);
        } else if (filter == Filter.NEAREST) {
            for (int y = 0; y < outHeight; y++) {
                int srcRow = inOffset + (y / factor) * width * 3;
                int dst = y * outWidth * 3;
                for (int x = 0; x < outWidth; x++, dst += 3) {
                    int src = srcRow + (x / factor) * 3;
                    out[dst] = in[src];
                    out[dst + 1] = in[src + 1];
                    out[dst + 2] = in[src + 2];
                }
            }
        } else {
            for (int y = 0; y < outHeight; y++) {
                double sy = Math.max(0, Math.min(height - 1, (y + 0.5) / factor - 0.5));
                int y0 = (int) sy;
                int y1 = Math.min(y0 + 1, height - 1);
                double fy = sy - y0;
                for (int x = 0; x < outWidth; x++) {
                    double sx = Math.max(0, Math.min(width - 1, (x + 0.5) / factor - 0.5));
                    int x0 = (int) sx;
                    int x1 = Math.min(x0 + 1, width - 1);
                    double fx = sx - x0;
                    for (int c = 0; c < 3; c++) {
                        double top = (in[inOffset + (y0 * width + x0) * 3 + c] & 0xFF) * (1 - fx)
                                + (in[inOffset + (y0 * width + x1) * 3 + c] & 0xFF) * fx;
                        double bottom = (in[inOffset + (y1 * width + x0) * 3 + c] & 0xFF) * (1 - fx)
                                + (in[inOffset + (y1 * width + x1) * 3 + c] & 0xFF) * fx;
                        out[(y * outWidth + x) * 3 + c] = (byte) Math.round(top * (1 - fy) + bottom * fy);
                    }
                }
            }
        }
    }
}
