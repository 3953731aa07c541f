package io.grnstream.suites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.cli.LocalPipeline;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicReader;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.kafka.serde.ConfluentAvroSerializer;
import io.grnstream.registry.SchemaRegistries;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.util.Utf8;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over 200 generated bad requests mixed into a stream of valid ones, through the whole pipeline
 * (real broker, every stage): each bad one gets a dead letter with its error type and, when its id
 * is usable, a FAILED event; every valid one becomes a video; no stage stops.
 */
class BadInputSuiteTest {
    private static final Path MODEL = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();
    @TempDir
    Path work;

    private record Bad(String key, byte[] value, ErrorType expected, boolean usableId) {
    }

    @Test
    void everyBadRequestIsDeadLetteredAndEveryValidOneCompletes() throws Exception {
        try (LocalPipeline pipeline = LocalPipeline.start(work, MODEL, null)) {
            GrnConfig config = pipeline.clientConfig();
            TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
            Topic<GenerationRequest> requests = topics.topic(Topics.REQUESTS);
            List<Bad> bad = generate(topics, requests, new Random(42));
            assertTrue(bad.size() >= 200, "generated " + bad.size());
            List<String> valid = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                    KafkaClients.producerProperties(config, "bad-input-suite"))) {
                for (int i = 0; i < bad.size(); i++) {
                    Bad b = bad.get(i);
                    producer.send(new ProducerRecord<>(requests.name(), b.key() == null ? null
                            : b.key().getBytes(StandardCharsets.UTF_8), b.value()));
                    if (i % 25 == 0) {
                        String id = "valid-" + i;
                        valid.add(id);
                        producer.send(requests.record(id, request(id).build()));
                    }
                }
            }

            List<VideoReady> videos = TopicReader.readUntil(config, topics, Topics.VIDEOS, l -> l.size() >= valid.size(), Duration.ofMinutes(4));
            assertEquals(Set.copyOf(valid), videos.stream().map(VideoReady::getRequestId).collect(Collectors.toSet()),
                    "every valid request completes");

            List<DeadLetter> letters = TopicReader.readUntil(config, topics, Topics.DLQ, l -> l.size() >= bad.size(), Duration.ofMinutes(1));
            assertEquals(bad.size(), letters.size(), "one dead letter per bad record");
            Map<String, ErrorType> expectedByKey = new HashMap<>();
            bad.stream().filter(Bad::usableId).forEach(b -> expectedByKey.put(b.key(), b.expected()));
            for (DeadLetter letter : letters) {
                assertEquals("refiner-workers", letter.getStage());
                if (letter.getRequestId() != null) {
                    assertEquals(expectedByKey.get(letter.getRequestId()), letter.getErrorType(), letter.getRequestId()
                            + ": " + letter.getErrorMessage());
                }
            }
            assertEquals(bad.stream().filter(b -> !b.usableId()).count(),
                    letters.stream().filter(l -> l.getRequestId() == null).count(), "unusable ids stay unnamed");

            Set<String> failed = TopicReader.readUntil(config, topics, Topics.EVENTS, l -> failedIds(l).size() >= expectedByKey.size(),
                    Duration.ofMinutes(1)).stream().filter(e -> e.getStatus() == RequestStatus.FAILED)
                    .map(RequestEvent::getRequestId).collect(Collectors.toSet());
            assertEquals(expectedByKey.keySet(), failed, "a FAILED event for every bad request with a usable id");
        }
    }

    private static Set<String> failedIds(List<RequestEvent> events) {
        return events.stream().filter(e -> e.getStatus() == RequestStatus.FAILED).map(RequestEvent::getRequestId)
                .collect(Collectors.toSet());
    }

    private static GenerationRequest.Builder request(String id) {
        return GenerationRequest.newBuilder().setRequestId(id).setPrompt("a cyan circle moving down on a black background")
                .setSeed(1).setStepPolicy(new FixedSteps(4));
    }

    private static List<Bad> generate(TopicRegistry topics, Topic<GenerationRequest> requests, Random random) {
        List<Bad> out = new ArrayList<>();
        String topic = requests.name();
        byte[] good = requests.valueSerde().serializer().serialize(topic, request("template").build());
        for (int round = 0; round < 16; round++) {
            final int i = round;
            String id = "bad-" + out.size();
            byte[] bytes = new byte[1 + random.nextInt(200)];
            random.nextBytes(bytes);
            bytes[0] = (byte) (1 + random.nextInt(200));   // never the Confluent magic byte
            out.add(new Bad(id, bytes, ErrorType.UNDECODABLE_RECORD, true));
            ByteBuffer wrongId = ByteBuffer.wrap(good.clone());
            wrongId.putInt(1, 100_000 + i);
            out.add(new Bad("bad-" + out.size(), wrongId.array(), ErrorType.UNDECODABLE_RECORD, true));
            out.add(new Bad("bad-" + out.size(), Arrays.copyOf(good, 5 + random.nextInt(good.length - 6)),
                    ErrorType.UNDECODABLE_RECORD, true));
            out.add(new Bad("bad-" + out.size(), new byte[0], ErrorType.UNDECODABLE_RECORD, true));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setPrompt("")));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setPrompt("huge ".repeat(1000 + i))));
            out.add(nonUtf8Prompt(topics, requests, "bad-" + out.size()));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setFrames(i % 2 == 0 ? 9 : 18)));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setFps(i % 2 == 0 ? 0 : 500)));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setGuidanceScale(i % 2 == 0 ? -1.0 : 1e6)));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setTemperature(i % 2 == 0 ? 0.0 : -3.0)));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setStepPolicy(new FixedSteps(i % 2 == 0 ? 0 : 100_000))));
            Bad unknown = invalid(requests, "bad-" + out.size(), b -> b.setModelId("grn-8b-" + i));
            out.add(new Bad(unknown.key(), unknown.value(), ErrorType.UNKNOWN_MODEL, true));
            out.add(invalid(requests, "bad-" + out.size(), b -> b.setSeed(-1 - i)));
            String traversal = i % 2 == 0 ? "../../etc/passwd" + i : "/abs/" + i;
            out.add(new Bad(traversal, requests.valueSerde().serializer().serialize(topic, request(traversal).build()),
                    ErrorType.INVALID_REQUEST, false));
            out.add(new Bad("bad-" + out.size(), good.clone(), ErrorType.INVALID_REQUEST, true));  // key differs from requestId
        }
        return out;
    }

    private static Bad invalid(Topic<GenerationRequest> requests, String id,
                               java.util.function.Consumer<GenerationRequest.Builder> change) {
        GenerationRequest.Builder b = request(id);
        change.accept(b);
        return new Bad(id, requests.valueSerde().serializer().serialize(requests.name(), b.build()),
                ErrorType.INVALID_REQUEST, true);
    }

    /** A prompt whose bytes are not UTF-8, written through the generic API (the generated class cannot). */
    private static Bad nonUtf8Prompt(TopicRegistry topics, Topic<GenerationRequest> requests, String id) {
        GenericRecord r = new GenericData.Record(GenerationRequest.getClassSchema());
        GenerationRequest valid = request(id).build();
        for (org.apache.avro.Schema.Field f : GenerationRequest.getClassSchema().getFields()) {
            r.put(f.pos(), valid.get(f.pos()));
        }
        r.put("prompt", new Utf8(new byte[] {'a', ' ', (byte) 0xC3, (byte) 0x28, ' ', (byte) 0xFF, 'x'}));
        byte[] bytes = new ConfluentAvroSerializer<GenericRecord>(topics.schemaRegistry(), false)
                .serialize(requests.name(), r);
        return new Bad(id, bytes, ErrorType.INVALID_REQUEST, true);
    }

}
