package io.grnstream.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Records as an older client would have written them. */
public final class OldWriters {
    private OldWriters() {
    }

    public static Schema minimalRequestSchema() {
        try (InputStream in = OldWriters.class.getResourceAsStream("/old-writers/GenerationRequest-minimal.avsc")) {
            return new Schema.Parser().parse(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static GenericRecord minimalRequest(String requestId, String prompt, long seed) {
        GenericRecord record = new GenericData.Record(minimalRequestSchema());
        record.put("requestId", requestId);
        record.put("prompt", prompt);
        record.put("seed", seed);
        return record;
    }
}
