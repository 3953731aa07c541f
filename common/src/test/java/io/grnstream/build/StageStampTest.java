package io.grnstream.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.Provenance;
import io.grnstream.kafka.SampleRecords;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StageStampTest {
    @Test
    void theVersionIsTheBuildsOwn() {
        // Filtered from the pom at build time: a raw ${project.version} would mean an unfiltered build.
        assertTrue(StageStamp.grnStreamVersion().matches("\\d+\\.\\d+\\.\\d+.*"), StageStamp.grnStreamVersion());
        assertEquals("grn-stream " + StageStamp.grnStreamVersion() + "; FFmpeg 7", StageStamp.runtime("FFmpeg 7"));
    }

    @Test
    void stampingAddsThisStageAndKeepsTheEarlierStagesAndFields() {
        Provenance fromRefiner = Provenance.newBuilder(SampleRecords.provenance())
                .setRuntimes(Map.of("refiner-workers", "grn-stream 1; onnxruntime 1.29.0 (CUDA)")).build();
        Provenance stamped = StageStamp.stamp(fromRefiner, "encoder-service", "decoder-7", "grn-stream 1; onnxruntime 1.29.0 (CPU)");
        assertEquals(Map.of("refiner-workers", "worker-0", "encoder-service", "decoder-7"), stamped.getWorkers());
        assertEquals(Map.of("refiner-workers", "grn-stream 1; onnxruntime 1.29.0 (CUDA)",
                "encoder-service", "grn-stream 1; onnxruntime 1.29.0 (CPU)"), stamped.getRuntimes());
        assertEquals(Provenance.newBuilder(stamped).setWorkers(fromRefiner.getWorkers()).setRuntimes(fromRefiner.getRuntimes())
                .build(), fromRefiner);
    }
}
