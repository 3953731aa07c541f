package io.grnstream.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.EntropyGuidedSteps;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.errors.InvalidRequestException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpSubmissionsTest {
    private static final long NOW = 1_800_000_000_000L;

    @Test
    void aFullBodyBecomesTheRequestTheJavaClientWouldWrite() {
        GenerationRequest r = HttpSubmissions.parse("""
                {"requestId": "r-1", "prompt": "a red circle moving left on a black background", "seed": 7,
                 "steps": 20, "guidanceScale": 2.5, "temperature": 0.8, "priority": 3, "deadlineSeconds": 600,
                 "negativePrompt": "blurry", "clientMetadata": {"grn.webhook.url": "https://hooks.example/x"}}
                """, NOW);
        assertEquals("r-1", r.getRequestId());
        assertEquals(7, r.getSeed());
        assertEquals(new FixedSteps(20), r.getStepPolicy());
        assertEquals(2.5, r.getGuidanceScale());
        assertEquals(0.8, r.getTemperature());
        assertEquals(3, r.getPriority());
        assertEquals(NOW + 600_000, r.getDeadlineEpochMs());
        assertEquals(NOW, r.getSubmittedAtEpochMs());
        assertEquals("blurry", r.getNegativePrompt());
        assertEquals(Map.of("grn.webhook.url", "https://hooks.example/x"), r.getClientMetadata());
    }

    @Test
    void aPromptAloneTakesTheModelsDefaultsAndAFreshIdAndSeed() {
        GenerationRequest a = HttpSubmissions.parse("{\"prompt\": \"a blue square moving up on a gray background\"}", NOW);
        GenerationRequest b = HttpSubmissions.parse("{\"prompt\": \"a blue square moving up on a gray background\"}", NOW);
        assertTrue(a.getRequestId().length() == 36 && !a.getRequestId().equals(b.getRequestId()));
        assertTrue(a.getSeed() >= 0);
        assertNull(a.getStepPolicy());
        assertNull(a.getGuidanceScale());
        assertNull(a.getDeadlineEpochMs());
        assertEquals(EntropyGuidedSteps.newBuilder().build(),
                HttpSubmissions.parse("{\"prompt\": \"x\", \"entropyGuided\": true}", NOW).getStepPolicy());
    }

    @Test
    void aBodyThatDescribesNoRequestNamesTheField() {
        assertEquals("body", refused("not json").field());
        assertEquals("body", refused("[1, 2]").field());
        assertEquals("prompt", refused("{\"seed\": 1}").field());
        assertEquals("promt", refused("{\"promt\": \"typo\"}").field());
        assertEquals("seed", refused("{\"prompt\": \"x\", \"seed\": \"seven\"}").field());
        assertEquals("requestId", refused("{\"prompt\": \"x\", \"requestId\": \"../etc\"}").field());
        assertEquals("steps", refused("{\"prompt\": \"x\", \"steps\": 10, \"entropyGuided\": true}").field());
        assertEquals("clientMetadata.n", refused("{\"prompt\": \"x\", \"clientMetadata\": {\"n\": 1}}").field());
    }

    private static InvalidRequestException refused(String body) {
        return assertThrows(InvalidRequestException.class, () -> HttpSubmissions.parse(body, NOW));
    }
}
