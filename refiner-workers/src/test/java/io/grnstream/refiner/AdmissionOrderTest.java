package io.grnstream.refiner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class AdmissionOrderTest {
    private static final Map<String, Integer> PRIORITY = Map.of("low-old", 0, "low-new", 0, "high", 5, "high-next", 0,
            "mid", 2, "mid-next", 9);

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, long timestamp, String id) {
        return new ConsumerRecord<>("requests", partition, offset, timestamp, TimestampType.CREATE_TIME, 0, 0,
                id.getBytes(), id.getBytes(), new org.apache.kafka.common.header.internals.RecordHeaders(),
                java.util.Optional.empty());
    }

    private static List<String> order(List<ConsumerRecord<byte[], byte[]>> polled) {
        return RefinerWorker.admissionOrder(polled, r -> PRIORITY.get(new String(r.key()))).stream()
                .map(r -> new String(r.key())).toList();
    }

    @Test
    void partitionsWhoseFirstRequestRanksHigherComeFirstAndEachKeepsItsOrder() {
        List<ConsumerRecord<byte[], byte[]>> polled = List.of(
                record(0, 10, 300, "low-new"),
                record(1, 4, 100, "low-old"),
                record(2, 7, 500, "high"),
                record(2, 8, 600, "high-next"),
                record(3, 1, 700, "mid"),
                record(3, 2, 800, "mid-next"));
        // Only a partition's first record counts: "mid-next" (9) waits behind "mid" (2) as the topic says.
        assertEquals(List.of("high", "high-next", "mid", "mid-next", "low-old", "low-new"), order(polled));
    }

    @Test
    void oneLaneOrNoneIsLeftAsPolled() {
        assertEquals(List.of(), order(List.of()));
        assertEquals(List.of("low-new", "high"), order(List.of(record(0, 1, 9, "low-new"), record(0, 2, 1, "high"))));
    }
}
