package io.grnstream.refiner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.hbq.LatentVideoPacker;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicDef;
import io.grnstream.kafka.TopicReader;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.TextEncoder;
import io.grnstream.refine.RefinementEngine;
import io.grnstream.refine.RequestResolver;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.testing.SharedKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Refiner workers on a real broker with the bundled model. */
class RefinerWorkerTest {
    @RegisterExtension
    static final SharedKafka KAFKA = new SharedKafka();
    private static final int PARTITIONS = 4;
    private static final Path BUNDLE = Path.of("..", "models", "grn-tiny-shapes").toAbsolutePath().normalize();

    private GrnConfig config;
    private TopicRegistry topics;
    private final List<RefinerWorker> workers = new ArrayList<>();
    private final Map<RefinerWorker, SimpleMeterRegistry> meters = new HashMap<>();

    @BeforeEach
    void provision() {
        config = ConfigLoader.fromMap(RefinerSettings.definition(), Map.of(
                "bootstrap.servers", KAFKA.bootstrapServers(),
                "topic.prefix", SharedKafka.uniqueTopicPrefix(),
                "topic.partitions", Integer.toString(PARTITIONS),
                "schema.registry.url", "mem://" + UUID.randomUUID(),
                "model.dir", BUNDLE.toString(),
                "refiner.group.id", "refiners-" + UUID.randomUUID(),
                "refiner.max.batch", "2",
                "refiner.drain.timeout", "20s",
                "inference.intra.op.threads", "1"));
        topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        try (Admin admin = KafkaClients.admin(config)) {
            TopicProvisioner.ensureTopics(admin, topics, config, Duration.ofSeconds(30));
        }
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(RefinerWorker::close);
    }

    private RefinerWorker startWorker(String name, Map<String, String> extra) {
        Map<String, String> overrides = new HashMap<>(extra);
        overrides.put("instance.id", name + "-" + UUID.randomUUID().toString().substring(0, 6));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RefinerWorker worker = new RefinerWorker(config.with(overrides), registry);
        worker.start();
        workers.add(worker);
        meters.put(worker, registry);
        return worker;
    }

    private <V extends SpecificRecord> List<V> readUntil(TopicDef<V> def, Predicate<List<V>> done, Duration max) {
        return TopicReader.readUntil(config, topics, def, done, max);
    }

    private static GenerationRequest request(String id, int steps) {
        return GenerationRequest.newBuilder().setRequestId(id)
                .setPrompt("a yellow triangle moving up on a striped background").setSeed(11)
                .setStepPolicy(new FixedSteps(steps)).build();
    }

    private void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = KafkaClients.bytesProducer(
                KafkaClients.producerProperties(config, "test-client"))) {
            records.forEach(producer::send);
        }
    }

    private ProducerRecord<byte[], byte[]> req(GenerationRequest r) {
        return topics.topic(Topics.REQUESTS).record(r.getRequestId(), r);
    }


    /** Request ids that land on every partition, so every worker of the group gets some. */
    private static List<String> idsCoveringPartitions(String prefix, int count) {
        List<String> ids = new ArrayList<>();
        Set<Integer> covered = new HashSet<>();
        for (int i = 0; ids.size() < count; i++) {
            String id = prefix + i;
            int partition = Utils.toPositive(Utils.murmur2(id.getBytes(java.nio.charset.StandardCharsets.UTF_8))) % PARTITIONS;
            if (covered.size() < PARTITIONS && !covered.add(partition)) {
                continue;
            }
            ids.add(id);
        }
        return ids;
    }

    @Test
    void twoWorkersShareTheRequestsAndEachRequestYieldsOneLatent() {
        RefinerWorker a = startWorker("a", Map.of());
        RefinerWorker b = startWorker("b", Map.of());
        awaitAssigned(a, b);
        List<String> ids = idsCoveringPartitions("share-", 6);
        send(ids.stream().map(id -> req(request(id, 6))).toList());

        readUntil(Topics.LATENTS, l -> l.size() >= 6, Duration.ofSeconds(90));
        List<LatentVideo> all = readUntil(Topics.LATENTS, l -> l.size() > 6, Duration.ofSeconds(4));
        assertEquals(Set.copyOf(ids), all.stream().map(LatentVideo::getRequestId).collect(Collectors.toSet()));
        assertEquals(6, all.size(), "exactly one committed latent per request");
        assertTrue(meters.get(a).counter("grn.refiner.latents").count() > 0, "worker a did some");
        assertTrue(meters.get(b).counter("grn.refiner.latents").count() > 0, "worker b did some");
        LatentVideo one = all.get(0);
        assertEquals(6, one.getStepsUsed());
        assertEquals(6, one.getEntropyTrace().size());
        assertEquals("fixed(6)", one.getProvenance().getStepPolicy());
    }

    @Test
    void aFullWorkerThatLosesPartitionsToANewMemberKeepsServingTheRest() {
        RefinerWorker first = startWorker("full", Map.of("refiner.max.batch", "1"));
        awaitAssigned(first);
        List<String> ids = idsCoveringPartitions("rebalance-", 8);
        send(ids.stream().map(id -> req(request(id, 150))).toList());
        readUntil(Topics.EVENTS, l -> l.stream().anyMatch(e -> e.getStep() != null && e.getStep() > 0), Duration.ofSeconds(60));
        startWorker("joiner", Map.of("refiner.max.batch", "1"));
        List<LatentVideo> latents = readUntil(Topics.LATENTS, l -> l.stream().map(LatentVideo::getRequestId).distinct().count() >= 8,
                Duration.ofSeconds(120));
        assertEquals(Set.copyOf(ids), latents.stream().map(LatentVideo::getRequestId).collect(Collectors.toSet()),
                "every request completes although partitions moved mid-job");
    }

    @Test
    void aKilledWorkersRequestIsRedoneElsewhereWithIdenticalBits() throws Exception {
        GenerationRequest r = request("crash-1", 200);
        byte[] expected = referenceBits(r);

        RefinerWorker doomed = startWorker("doomed", Map.of());
        java.util.concurrent.CountDownLatch midJob = new java.util.concurrent.CountDownLatch(1);
        doomed.observeSteps(p -> {
            if (p.step() == 3) {
                midJob.countDown();
            }
        });
        send(List.of(req(r)));
        assertTrue(midJob.await(60, TimeUnit.SECONDS));
        doomed.crash();
        assertEquals(0.0, meters.get(doomed).counter("grn.refiner.latents").count(), "killed before it published");
        workers.remove(doomed);

        startWorker("survivor", Map.of());
        List<LatentVideo> latents = readUntil(Topics.LATENTS, l -> !l.isEmpty(), Duration.ofSeconds(90));
        List<LatentVideo> all = readUntil(Topics.LATENTS, l -> l.size() > 1, Duration.ofSeconds(3));
        assertEquals(1, all.size(), "one committed latent");
        assertEquals(1, latents.size());
        byte[] bits = new byte[all.get(0).getPackedBits().remaining()];
        all.get(0).getPackedBits().duplicate().get(bits);
        assertArrayEquals(expected, bits, "the same bits as an undisturbed run");
        assertTrue(all.get(0).getProvenance().getWorkers().get(RefinerWorker.STAGE_NAME).startsWith("survivor"));
    }

    private static void awaitAssigned(RefinerWorker... group) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && java.util.Arrays.stream(group).anyMatch(w -> w.assignedPartitions() == 0)) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        for (RefinerWorker w : group) {
            assertTrue(w.assignedPartitions() > 0, w.instanceId() + " got no partition");
        }
    }

    private byte[] referenceBits(GenerationRequest r) throws Exception {
        ModelBundle bundle = ModelBundle.load(BUNDLE);
        InferenceRuntime runtime = new InferenceRuntime("cpu", false, 1, 1);
        try (RefinerNetwork network = new RefinerNetwork(bundle, runtime); TextEncoder text = new TextEncoder(bundle, runtime);
             RefinementEngine engine = new RefinementEngine(network, text, 1)) {
            RequestResolver.Resolved resolved = new RequestResolver(bundle).resolve(r, null);
            byte[] bits = engine.submit(resolved.refinement()).result().get(2, TimeUnit.MINUTES).bits();
            byte[] packed = new byte[LatentVideoPacker.packBits(resolved.geometry(), bundle.hbqRounds(), bits).remaining()];
            LatentVideoPacker.packBits(resolved.geometry(), bundle.hbqRounds(), bits).get(packed);
            return packed;
        }
    }

    @Test
    void whenAFullWorkerFreesASlotTheHighestPriorityWaitingRequestRunsNext() {
        // A window far above a fetch round trip, so a loaded machine cannot make the test flaky;
        // the default (25 ms) is what production pays per freed slot.
        RefinerWorker worker = startWorker("priority", Map.of("refiner.max.batch", "1", "refiner.admission.window", "500ms"));
        List<String> started = java.util.Collections.synchronizedList(new ArrayList<>());
        worker.observeSteps(p -> {
            if (p.step() == 1) {
                started.add(p.requestId());
            }
            pause(5);
        });
        List<String> ids = idsCoveringPartitions("prio-", PARTITIONS);   // one per partition
        send(List.of(req(request(ids.get(0), 200))));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (started.isEmpty() && System.nanoTime() < deadline) {
            pause(10);
        }
        // While the first job runs, three more wait at the heads of the other partitions.
        GenerationRequest low1 = GenerationRequest.newBuilder(request(ids.get(1), 4)).setPriority(0).build();
        GenerationRequest high = GenerationRequest.newBuilder(request(ids.get(2), 4)).setPriority(7).build();
        GenerationRequest low2 = GenerationRequest.newBuilder(request(ids.get(3), 4)).setPriority(1).build();
        send(List.of(req(low1), req(high), req(low2)));
        readUntil(Topics.LATENTS, l -> l.size() >= 4, Duration.ofSeconds(120));
        assertEquals(List.of(ids.get(0), ids.get(2), ids.get(3), ids.get(1)), started,
                "the running job, then priority 7, 1, 0");
    }

    @Test
    void aJobThatStopsMakingProgressTakesItsWorkerDownAndIsRedoneElsewhere() {
        RefinerWorker hung = startWorker("hung", Map.of("refiner.max.batch", "1", "refiner.stall.timeout", "1s"));
        hung.observeSteps(p -> {
            if (p.step() == 3) {
                pause(4000);   // a forward pass that does not come back, as far as the worker can tell
            }
        });
        send(List.of(req(request("stalled-1", 30))));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (hung.isLive() && System.nanoTime() < deadline) {
            pause(50);
        }
        assertFalse(hung.isLive(), "a worker with a hung job reports itself dead, to be restarted");
        assertEquals(1.0, meters.get(hung).counter("grn.refiner.stalls").count());
        assertEquals(0.0, meters.get(hung).counter("grn.refiner.latents").count());

        startWorker("rescuer", Map.of());
        List<LatentVideo> latents = readUntil(Topics.LATENTS, l -> !l.isEmpty(), Duration.ofSeconds(90));
        assertEquals("stalled-1", latents.get(0).getRequestId());
        assertTrue(latents.get(0).getProvenance().getWorkers().get(RefinerWorker.STAGE_NAME).startsWith("rescuer"));
    }

    @Test
    void aJobLongerThanTheMaxPollIntervalCompletesWithoutARebalance() {
        RefinerWorker worker = startWorker("long", Map.of("kafka.max.poll.interval.ms", "1000", "refiner.max.batch", "1"));
        worker.observeSteps(p -> pause(10)); // 200 passes of the tiny model alone can finish in 0.6 s
        send(List.of(req(request("long-1", 200))));
        List<LatentVideo> latents = readUntil(Topics.LATENTS, l -> !l.isEmpty(), Duration.ofSeconds(120));
        assertEquals(1, latents.size());
        assertTrue(latents.get(0).getTimings().getRefineMs() > 1000,
                "the job outlasted max.poll.interval.ms: " + latents.get(0).getTimings().getRefineMs() + " ms");
        assertEquals(0.0, meters.get(worker).counter("grn.refiner.rebalances").count());
    }

    @Test
    void cancelsDeadlinesAndBadInputsEndTheirRequestsWhileValidOnesComplete() {
        startWorker("mixed", Map.of());
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        send(List.of(control.record("early-cancel", ControlCommand.newBuilder().setRequestId("early-cancel")
                .setAction(ControlAction.CANCEL).setReason("changed my mind").setIssuedAtEpochMs(1).build())));
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        records.add(req(request("ok-1", 5)));
        records.add(req(GenerationRequest.newBuilder(request("bad-empty", 5)).setPrompt(" ").build()));
        records.add(req(GenerationRequest.newBuilder(request("bad-model", 5)).setModelId("grn-2b-t2v").build()));
        records.add(req(GenerationRequest.newBuilder(request("bad-geometry", 5)).setFrames(33).build()));
        records.add(req(GenerationRequest.newBuilder(request("bad-guidance", 5)).setGuidanceScale(99.0).build()));
        records.add(req(GenerationRequest.newBuilder(request("bad-long", 5)).setPrompt("x".repeat(5000)).build()));
        records.add(new ProducerRecord<>(topics.topic(Topics.REQUESTS).name(), "bad-bytes".getBytes(), new byte[] {0, 0, 0, 0, 99, 1}));
        records.add(req(request("early-cancel", 5)));
        records.add(req(GenerationRequest.newBuilder(request("late", 5)).setDeadlineEpochMs(1L).build()));
        records.add(req(request("ok-2", 5)));
        send(records);

        List<LatentVideo> latents = readUntil(Topics.LATENTS, l -> l.size() >= 2, Duration.ofSeconds(90));
        assertEquals(Set.of("ok-1", "ok-2"), latents.stream().map(LatentVideo::getRequestId).collect(Collectors.toSet()));

        List<DeadLetter> letters = readUntil(Topics.DLQ, l -> l.size() >= 6, Duration.ofSeconds(30));
        Map<String, ErrorType> byId = letters.stream().collect(Collectors.toMap(d -> String.valueOf(d.getRequestId()),
                DeadLetter::getErrorType));
        assertEquals(Map.of("bad-empty", ErrorType.INVALID_REQUEST, "bad-model", ErrorType.UNKNOWN_MODEL,
                "bad-geometry", ErrorType.INVALID_REQUEST, "bad-guidance", ErrorType.INVALID_REQUEST,
                "bad-long", ErrorType.INVALID_REQUEST, "bad-bytes", ErrorType.UNDECODABLE_RECORD), byId);

        List<RequestEvent> events = readUntil(Topics.EVENTS, l -> terminal(l).size() >= 8, Duration.ofSeconds(30));
        Map<String, RequestStatus> ends = terminal(events);
        assertEquals(RequestStatus.CANCELLED, ends.get("early-cancel"));
        assertEquals(RequestStatus.TIMED_OUT, ends.get("late"));
        for (String bad : List.of("bad-empty", "bad-model", "bad-geometry", "bad-guidance", "bad-long", "bad-bytes")) {
            assertEquals(RequestStatus.FAILED, ends.get(bad), bad);
        }
    }

    @Test
    void aRunningJobIsCancelledWithinAStep() {
        RefinerWorker worker = startWorker("cancel", Map.of());
        worker.observeSteps(p -> pause(20)); // long enough that the cancel arrives mid-job on any machine
        send(List.of(req(request("long-cancel", 200))));
        readUntil(Topics.EVENTS, l -> l.stream().anyMatch(e -> e.getStep() != null && e.getStep() > 0), Duration.ofSeconds(60));
        Topic<ControlCommand> control = topics.topic(Topics.CONTROL);
        send(List.of(control.record("long-cancel", ControlCommand.newBuilder().setRequestId("long-cancel")
                .setAction(ControlAction.CANCEL).setIssuedAtEpochMs(System.currentTimeMillis()).build())));
        Map<String, RequestStatus> ends = terminal(readUntil(Topics.EVENTS, l -> !terminal(l).isEmpty(), Duration.ofSeconds(60)));
        assertEquals(RequestStatus.CANCELLED, ends.get("long-cancel"));
        assertTrue(readUntil(Topics.LATENTS, l -> false, Duration.ofSeconds(2)).isEmpty());
    }

    /** Slows every refinement pass (the observer runs on the engine thread between passes). */
    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, RequestStatus> terminal(List<RequestEvent> events) {
        Map<String, RequestStatus> out = new HashMap<>();
        for (RequestEvent e : events) {
            if (e.getStatus() != RequestStatus.IN_PROGRESS && e.getStatus() != RequestStatus.QUEUED) {
                out.put(e.getRequestId(), e.getStatus());
            }
        }
        return out;
    }
}
