package io.grnstream.kafka.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentVideo;
import io.grnstream.kafka.OldWriters;
import io.grnstream.kafka.SampleRecords;
import io.grnstream.registry.InMemorySchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.junit.jupiter.api.Test;

class ConfluentAvroSerdeTest {
    private final InMemorySchemaRegistry registry = new InMemorySchemaRegistry();
    private final ConfluentAvroSerde<GenerationRequest> serde = new ConfluentAvroSerde<>(registry, GenerationRequest.class);

    @Test
    void framesPlainAvroBehindMagicByteAndSchemaId() throws Exception {
        GenerationRequest request = SampleRecords.request();
        byte[] framed = serde.serializer().serialize("grn.requests", request);

        int id = registry.register("grn.requests-value", GenerationRequest.getClassSchema());
        assertEquals(0, framed[0]);
        assertEquals(id, ByteBuffer.wrap(framed, 1, 4).getInt());

        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(plain, null);
        new SpecificDatumWriter<>(GenerationRequest.class).write(request, encoder);
        encoder.flush();
        assertArrayEquals(plain.toByteArray(), Arrays.copyOfRange(framed, 5, framed.length));
    }

    @Test
    void roundTripsEveryOptionalField() {
        GenerationRequest request = SampleRecords.request();
        assertEquals(request, serde.deserializer().deserialize("grn.requests",
                serde.serializer().serialize("grn.requests", request)));
    }

    @Test
    void oldWriterRecordReadsWithCurrentDefaults() {
        GenericRecord old = OldWriters.minimalRequest("req-old", "a blue square moving up on a gray background", 7L);
        byte[] framed = new ConfluentAvroSerializer<GenericRecord>(registry, false).serialize("grn.requests", old);

        GenerationRequest read = serde.deserializer().deserialize("grn.requests", framed);

        assertEquals("req-old", read.getRequestId());
        assertEquals(7L, read.getSeed());
        assertEquals("", read.getNegativePrompt());
        assertNull(read.getFrames());
        assertNull(read.getStepPolicy());
        assertEquals(0, read.getPriority());
        assertEquals(Map.of(), read.getClientMetadata());
        assertNull(read.getDebug());
    }

    @Test
    void rejectsBytesWithoutTheConfluentMagicByte() {
        byte[] framed = serde.serializer().serialize("grn.requests", SampleRecords.request());
        framed[0] = 1;
        UndecodableRecordException e = assertThrows(UndecodableRecordException.class,
                () -> serde.deserializer().deserialize("grn.requests", framed));
        assertTrue(e.getMessage().contains("magic byte 0x01"), e.getMessage());
    }

    @Test
    void rejectsRecordsShorterThanTheHeader() {
        assertThrows(UndecodableRecordException.class,
                () -> serde.deserializer().deserialize("grn.requests", new byte[] {0, 0, 0}));
        assertThrows(UndecodableRecordException.class,
                () -> serde.deserializer().deserialize("grn.requests", new byte[0]));
    }

    @Test
    void rejectsUnknownSchemaIds() {
        byte[] framed = serde.serializer().serialize("grn.requests", SampleRecords.request());
        ByteBuffer.wrap(framed, 1, 4).putInt(9999);
        UndecodableRecordException e = assertThrows(UndecodableRecordException.class,
                () -> serde.deserializer().deserialize("grn.requests", framed));
        assertTrue(e.getMessage().contains("9999"), e.getMessage());
    }

    @Test
    void rejectsTruncatedRecords() {
        byte[] framed = serde.serializer().serialize("grn.requests", SampleRecords.request());
        for (int cut : new int[] {6, framed.length / 2, framed.length - 1}) {
            byte[] truncated = Arrays.copyOf(framed, cut);
            assertThrows(UndecodableRecordException.class,
                    () -> serde.deserializer().deserialize("grn.requests", truncated), "cut at " + cut);
        }
    }

    @Test
    void rejectsTrailingBytes() {
        byte[] framed = serde.serializer().serialize("grn.requests", SampleRecords.request());
        byte[] longer = Arrays.copyOf(framed, framed.length + 3);
        UndecodableRecordException e = assertThrows(UndecodableRecordException.class,
                () -> serde.deserializer().deserialize("grn.requests", longer));
        assertTrue(e.getMessage().contains("trailing"), e.getMessage());
    }

    @Test
    void rejectsARecordOfAnotherTypeOnTheTopic() {
        byte[] latent = new ConfluentAvroSerde<>(registry, LatentVideo.class).serializer()
                .serialize("grn.requests", SampleRecords.latent());
        assertThrows(UndecodableRecordException.class,
                () -> serde.deserializer().deserialize("grn.requests", latent));
    }

    @Test
    void nullStaysNullForTombstones() {
        assertNull(serde.serializer().serialize("grn.requests", null));
        assertNull(serde.deserializer().deserialize("grn.requests", null));
    }
}
