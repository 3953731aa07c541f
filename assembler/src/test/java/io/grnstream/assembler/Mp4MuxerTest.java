package io.grnstream.assembler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Mp4MuxerTest {
    @TempDir
    Path dir;

    private Path mux(String name, int frames, int width, int height, int fps) throws Exception {
        Path out = dir.resolve(name);
        byte[] rgb = TestFrames.frames(0, frames - 1, width, height);
        try (Mp4Muxer muxer = new Mp4Muxer(out, width, height, fps, "libopenh264", 0.25)) {
            for (int f = 0; f < frames; f++) {
                muxer.write(rgb, f * width * height * 3);
            }
            muxer.finish();
            assertEquals(frames, muxer.framesWritten());
        }
        return out;
    }

    @Test
    void writesH264Yuv420pWithEveryFrameAndTheExactDuration() throws Exception {
        Path mp4 = mux("v.mp4", 17, 64, 64, 8);
        Ffprobe.Stream s = Ffprobe.probe(mp4);
        assertEquals("h264", s.codec());
        assertEquals("yuv420p", s.pixelFormat());
        assertEquals(64, s.width());
        assertEquals(64, s.height());
        assertEquals(17, s.frames());
        assertEquals("8/1", s.frameRate());
        assertEquals(17 / 8.0, s.durationSeconds(), 1e-3);
    }

    @Test
    void moovComesBeforeMdatSoPlaybackCanStartEarly() throws Exception {
        List<String> boxes = Ffprobe.topLevelBoxes(mux("fast.mp4", 9, 32, 32, 8));
        assertTrue(boxes.contains("moov") && boxes.contains("mdat"), boxes.toString());
        assertTrue(boxes.indexOf("moov") < boxes.indexOf("mdat"), "boxes in order " + boxes);
    }

    @Test
    void muxingTheSameFramesAgainGivesTheSameBytes() throws Exception {
        byte[] a = Files.readAllBytes(mux("a.mp4", 9, 64, 48, 8));
        byte[] b = Files.readAllBytes(mux("b.mp4", 9, 64, 48, 8));
        assertArrayEquals(a, b);
    }

    @Test
    void aMissingEncoderIsAnErrorNotASilentFallback() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new Mp4Muxer(dir.resolve("x.mp4"), 64, 64, 8, "no-such-h264-encoder", 0.25));
        assertTrue(e.getMessage().contains("no-such-h264-encoder"), e.getMessage());
    }

    @Test
    void oddFrameSidesAreRefusedForYuv420p() {
        assertThrows(IllegalArgumentException.class, () -> new Mp4Muxer(dir.resolve("x.mp4"), 63, 64, 8, "libopenh264", 0.25));
    }
}
