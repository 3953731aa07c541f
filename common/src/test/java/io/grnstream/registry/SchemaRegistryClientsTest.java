package io.grnstream.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.kafka.SampleRecords;
import io.grnstream.kafka.serde.ConfluentAvroSerde;
import java.time.Duration;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP client against {@link RegistryHttpStub}, backed by the in-memory registry (so both
 * clients' behaviour is compared on the same data).
 */
class SchemaRegistryClientsTest {
    private static final Schema V2 = new Schema.Parser().parse("""
            {"type":"record","name":"GenerationRequest","namespace":"io.grnstream.avro","fields":[
              {"name":"requestId","type":"string"},{"name":"prompt","type":"string"},{"name":"seed","type":"long"},
              {"name":"mustHave","type":"int"}]}""");

    private final InMemorySchemaRegistry backing = new InMemorySchemaRegistry();
    private RegistryHttpStub server;
    private String url;

    @BeforeEach
    void startStub() {
        server = RegistryHttpStub.start(backing);
        url = server.url();
    }

    @AfterEach
    void stopStub() {
        server.close();
    }

    private HttpSchemaRegistryClient client(String userInfo) {
        return new HttpSchemaRegistryClient(url, userInfo, Duration.ofSeconds(5));
    }

    @Test
    void registersAndFetchesThroughTheRestApi() {
        HttpSchemaRegistryClient client = client("");
        int id = client.register("grn.requests-value", GenerationRequest.getClassSchema());
        assertEquals(id, client.register("grn.requests-value", GenerationRequest.getClassSchema()));
        assertEquals(GenerationRequest.getClassSchema(), client("").schemaById(id));
        assertEquals(id, backing.register("grn.requests-value", GenerationRequest.getClassSchema()));
    }

    @Test
    void serdeOverHttpWritesTheSameBytesAsOverMemory() {
        byte[] viaHttp = new ConfluentAvroSerde<>(client(""), ControlCommand.class).serializer()
                .serialize("grn.control", SampleRecords.cancel());
        byte[] viaMemory = new ConfluentAvroSerde<>(backing, ControlCommand.class).serializer()
                .serialize("grn.control", SampleRecords.cancel());
        assertArrayEquals(viaMemory, viaHttp);
        assertEquals(SampleRecords.cancel(),
                new ConfluentAvroSerde<>(client(""), ControlCommand.class).deserializer().deserialize("grn.control", viaHttp));
    }

    @Test
    void incompatibleChangeIsRefusedWithA409() {
        HttpSchemaRegistryClient client = client("");
        client.register("grn.requests-value", GenerationRequest.getClassSchema());
        // A new required field without a default cannot read records written before it existed.
        assertThrows(IncompatibleSchemaException.class, () -> client.register("grn.requests-value", V2));
    }

    @Test
    void inMemoryRegistryEnforcesBackwardTransitiveCompatibility() {
        backing.register("s-value", GenerationRequest.getClassSchema());
        assertThrows(IncompatibleSchemaException.class, () -> backing.register("s-value", V2));
        assertEquals(1, backing.versions("s-value").size());
    }

    @Test
    void identicalSchemasShareAnIdAcrossSubjects() {
        int a = backing.register("a-value", GenerationRequest.getClassSchema());
        int b = backing.register("b-value", GenerationRequest.getClassSchema());
        int c = backing.register("c-value", ControlCommand.getClassSchema());
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void unknownIdIsAPermanentError() {
        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> client("").schemaById(4242));
        assertEquals(SchemaRegistryException.class, e.getClass());
    }

    @Test
    void sendsBasicAuthenticationWhenConfigured() {
        client("svc:s3cret").register("grn.control-value", ControlCommand.getClassSchema());
        assertEquals("Basic c3ZjOnMzY3JldA==", server.authorizations().get(0));
    }

    @Test
    void unreachableRegistryIsReportedAsTransient() {
        server.close();
        assertThrows(SchemaRegistryUnavailableException.class, () -> client("").schemaById(1));
    }
}
