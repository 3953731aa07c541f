package io.grnstream.assembler;

/** Synthetic RGB24 frames: a square moving right over a gradient, different in every frame. */
final class TestFrames {
    private TestFrames() {
    }

    static byte[] frames(int first, int last, int width, int height) {
        int frameBytes = width * height * 3;
        byte[] out = new byte[(last - first + 1) * frameBytes];
        for (int f = first; f <= last; f++) {
            int base = (f - first) * frameBytes;
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int i = base + (y * width + x) * 3;
                    boolean square = x >= f * 2 % width && x < f * 2 % width + width / 4 && y >= height / 3 && y < height / 3 + height / 4;
                    out[i] = (byte) (square ? 230 : x * 255 / width);
                    out[i + 1] = (byte) (square ? 40 : y * 255 / height);
                    out[i + 2] = (byte) (square ? 40 : 90);
                }
            }
        }
        return out;
    }
}
