package io.grnstream.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.ErrorType;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import org.junit.jupiter.api.Test;

class RequestEventJsonTest {
    @Test
    void everyFieldSurvivesTheRoundTrip() {
        RequestEvent progress = Events.event("r-1", RequestStatus.IN_PROGRESS, Stage.REFINING, "worker-3", 1_700_000_000_123L)
                .setStep(7).setTotalSteps(31).setEntropy(0.4375).setEtaMs(2500L).setPreviewUri("file:///p/7.png")
                .setAttempt(2).build();
        assertEquals(progress, RequestEventJson.parse(RequestEventJson.write(progress)));
        RequestEvent failed = Events.failed("r-2", RequestStatus.FAILED, Stage.DECODING, ErrorType.MODEL_FAILURE,
                "decoder \"vae\" failed\nat chunk 2", true, "decoder-1", 5L);
        assertEquals(failed, RequestEventJson.parse(RequestEventJson.write(failed)));
    }

    @Test
    void absentFieldsAreLeftOutForPlainHttpReaders() {
        String json = RequestEventJson.write(Events.event("r-1", RequestStatus.QUEUED, Stage.SUBMITTED, "grn-client", 9L).build());
        assertEquals("{\"requestId\":\"r-1\",\"status\":\"QUEUED\",\"stage\":\"SUBMITTED\",\"emittedBy\":\"grn-client\","
                + "\"attempt\":1,\"timestampEpochMs\":9}", json);
    }

    @Test
    void notFoundReadsAsNoEventAndUnknownErrorTypesAsInternal() {
        assertNull(RequestEventJson.parse(RequestEventJson.notFound("nobody")));
        RequestEvent e = RequestEventJson.parse("{\"requestId\":\"r\",\"status\":\"FAILED\",\"timestampEpochMs\":1,"
                + "\"error\":{\"type\":\"GPU_ON_FIRE\",\"message\":\"m\"},\"addedLater\":true}");
        assertEquals(ErrorType.INTERNAL, e.getError().getType());
    }

    @Test
    void somethingElseIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RequestEventJson.parse("{\"hello\":1}"));
        assertTrue(e.getMessage().startsWith("not a request status"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RequestEventJson.parse("{\"requestId\":\"r\",\"status\":\"QUEUED\"}"));
        assertThrows(java.io.UncheckedIOException.class, () -> RequestEventJson.parse("<html>502</html>"));
    }
}
