package io.grnstream.suites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Java port gives the Python evaluator's verdict on ground-truth clips rendered by the training code. */
class AttributeEvaluatorTest {

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = AttributeEvaluatorTest.class.getResourceAsStream("/evaluator/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void agreesWithThePythonEvaluatorOnGroundTruthClips() throws IOException {
        JsonNode fixture = new ObjectMapper().readTree(resource("verdicts.json"));
        int clips = 0;
        for (JsonNode clip : fixture.get("clips")) {
            byte[] rgb = resource(clip.get("file").asText());
            AttributeEvaluator.Verdict v = AttributeEvaluator.analyse(rgb, clip.get("frames").asInt(),
                    clip.get("height").asInt(), clip.get("width").asInt());
            JsonNode want = clip.get("verdict");
            List<String> expected = new ArrayList<>();
            for (JsonNode o : want.get("objects")) {
                expected.add(o.get("color").asText() + " " + o.get("shape").asText() + " " + o.get("dir").asText()
                        + String.format(" %.4f", o.get("fill").asDouble()));
            }
            List<String> actual = v.objects().stream()
                    .map(o -> o.color() + " " + o.shape() + " " + o.direction() + String.format(" %.4f", o.fill())).toList();
            assertEquals(expected, actual, clip.get("caption").asText());
            assertEquals(want.get("bg").asText(), v.background(), clip.get("caption").asText());
            assertTrue(AttributeEvaluator.matches(v, clip.get("caption").asText()), clip.get("caption").asText());
            clips++;
        }
        assertEquals(4, clips);
    }

    @Test
    void aCaptionAskingForSomethingElseDoesNotMatch() throws IOException {
        JsonNode clip = new ObjectMapper().readTree(resource("verdicts.json")).get("clips").get(0);
        AttributeEvaluator.Verdict v = AttributeEvaluator.analyse(resource(clip.get("file").asText()),
                clip.get("frames").asInt(), clip.get("height").asInt(), clip.get("width").asInt());
        // clip 0 is "a cyan square moving right on a gray background"
        assertFalse(AttributeEvaluator.matches(v, "a cyan square moving left on a gray background"));
        assertFalse(AttributeEvaluator.matches(v, "a cyan circle moving right on a gray background"));
        assertFalse(AttributeEvaluator.matches(v, "a red square moving right on a gray background"));
        assertFalse(AttributeEvaluator.matches(v, "a cyan square moving right on a black background"));
        assertFalse(AttributeEvaluator.matches(v,
                "a cyan square moving right and a red circle moving up on a gray background"));
    }

    @Test
    void downscaleUndoesANearestNeighbourUpscale() {
        byte[] small = new byte[2 * 2 * 3];
        for (int i = 0; i < small.length; i++) {
            small[i] = (byte) (i * 20);
        }
        byte[] big = new byte[4 * 4 * 3];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                System.arraycopy(small, ((y / 2) * 2 + x / 2) * 3, big, (y * 4 + x) * 3, 3);
            }
        }
        assertEquals(java.util.Arrays.toString(small), java.util.Arrays.toString(AttributeEvaluator.downscale(big, 1, 4, 4, 2)));
    }
}
