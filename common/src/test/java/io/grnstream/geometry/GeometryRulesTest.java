package io.grnstream.geometry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.errors.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GeometryRulesTest {
    private final GeometryRules grn = GeometryRules.grnTextToVideo();

    @ParameterizedTest(name = "{0} {1} -> {2}x{3} latent, {4}x{5} px")
    @CsvSource({
        // GRN-METHOD.md 1.5 table (aspect written W:H)
        "0.41M, 16:9, 30, 53, 480, 848",
        "1M, 1:1, 64, 64, 1024, 1024",
        "1M, 16:9, 48, 85, 768, 1360",
        "0.06M, 1:1, 16, 16, 256, 256",
    })
    void presetsAndAspectGiveThePublishedGrids(String preset, String aspect, int h, int w, int pxH, int pxW) {
        VideoGeometry g = grn.resolve(33, null, 16, aspect, preset);
        assertEquals(h, g.latentHeight());
        assertEquals(w, g.latentWidth());
        assertEquals(pxH, g.pixelHeight());
        assertEquals(pxW, g.pixelWidth());
    }

    @Test
    void defaultT2vRequestIsTwoSecondsOf480p() {
        VideoGeometry g = grn.resolve(null, null, null, null, null);
        assertEquals(33, g.frames());
        assertEquals(9, g.latentFrames());
        assertEquals(16, g.fps());
        assertEquals(30 * 53 * 9, g.tokens());
        assertEquals(14_310, g.tokens());
    }

    @ParameterizedTest(name = "{0} s @ {1} fps -> {2} frames, {3} latent frames")
    @CsvSource({
        "2.0, 16, 33, 9",
        "5.0, 16, 81, 21",
        "10.0, 16, 81, 21",   // capped at 81
        "1.1, 16, 17, 5",     // floor(18.6) = 18 rounds down to 1 + 4k
        "0.01, 16, 1, 1",     // a single frame is an image
        "2.125, 8, 17, 5",
    })
    void durationBecomesFramesWithTheCapAndTheLatentStride(double seconds, int fps, int frames, int latentFrames) {
        VideoGeometry g = grn.resolve(null, seconds, fps, "1:1", "0.06M");
        assertEquals(frames, g.frames());
        assertEquals(latentFrames, g.latentFrames());
        assertEquals(frames, grn.framesFor(latentFrames));
    }

    @Test
    void framesAndLatentFramesCorrespond() {
        for (int k = 0; k <= 20; k++) {
            int frames = 1 + 4 * k;
            assertEquals(k + 1, GeometryRules.latentFramesFor(frames, 4));
            assertEquals(frames, grn.framesFor(k + 1));
        }
    }

    @Test
    void aspectSnapsToTheNearestTemplate() {
        assertEquals(0.562, grn.snapAspect(grn.parseAspect("16:9")), 0.0);
        assertEquals(1.777, grn.snapAspect(grn.parseAspect("9:16")), 0.0);
        assertEquals(0.75, grn.snapAspect(grn.parseAspect("4:3")), 0.0);
        assertEquals(1.0, grn.snapAspect(grn.parseAspect("101:100")), 0.0);
        assertEquals(0.333, grn.snapAspect(grn.parseAspect("3.5:1")), 0.0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "frames=18; frames; must be 1 + 4k",
        "frames=85; frames; must be in [1, 81]",
        "frames=0; frames; must be in [1, 81]",
        "both; frames; not both",
        "fps=0; fps; must be in [1, 60]",
        "fps=61; fps; must be in [1, 60]",
        "duration=-1; durationSeconds; positive",
        "duration=NaN; durationSeconds; positive",
        "aspect=wide; aspectRatio; expected W:H",
        "aspect=0:9; aspectRatio; positive",
        "aspect=10:1; aspectRatio; beyond",
        "preset=8K; resolutionPreset; unknown preset '8K'",
    })
    void impossibleRequestsFailWithTheFieldNamed(String input, String field, String message) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> resolve(input));
        assertEquals(field, e.field());
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private VideoGeometry resolve(String input) {
        String[] kv = input.split("=");
        String value = kv.length > 1 ? kv[1] : null;
        return switch (kv[0]) {
            case "frames" -> grn.resolve(Integer.parseInt(value), null, null, null, null);
            case "both" -> grn.resolve(17, 1.0, null, null, null);
            case "fps" -> grn.resolve(null, null, Integer.parseInt(value), null, null);
            case "duration" -> grn.resolve(null, Double.parseDouble(value), null, null, null);
            case "aspect" -> grn.resolve(null, null, null, value, null);
            case "preset" -> grn.resolve(null, null, null, null, value);
            default -> throw new IllegalArgumentException(input);
        };
    }

    @Test
    void aSmallModelFamilyDeclaresItsOwnRules() {
        GeometryRules tiny = new GeometryRules(8, 8, 4, 17, 8, 30, 2.0, Map.of("64px", 8), "64px", List.of(1.0), 1.0);
        VideoGeometry g = tiny.resolve(null, null, null, "16:9", null);
        assertEquals(17, g.frames());
        assertEquals(5, g.latentFrames());
        assertEquals(8, g.latentHeight());
        assertEquals(8, g.latentWidth());
        assertEquals(64, g.pixelWidth());
        assertEquals(320, g.tokens());
    }

    @Test
    void inconsistentGeometryIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new VideoGeometry(17, 8, 4, 8, 8, 8, 8, 4));
        assertThrows(IllegalArgumentException.class, () -> new VideoGeometry(17, 0, 5, 8, 8, 8, 8, 4));
    }
}
