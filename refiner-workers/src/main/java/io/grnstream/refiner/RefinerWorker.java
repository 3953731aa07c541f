package io.grnstream.refiner;

import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.LatentVideo;
import io.grnstream.avro.Provenance;
import io.grnstream.avro.RefineTimings;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.blob.BlobKeys;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.GrnConfig;
import io.grnstream.errors.GrnException;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.errors.RequestCancelledException;
import io.grnstream.hbq.LatentVideoPacker;
import io.grnstream.kafka.CancelFollower;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.kafka.serde.UndecodableRecordException;
import io.grnstream.build.StageStamp;
import io.grnstream.model.InferenceRuntime;
import io.grnstream.model.InferenceSettings;
import io.grnstream.model.ModelBundle;
import io.grnstream.model.RefinerNetwork;
import io.grnstream.model.TextEncoder;
import io.grnstream.refine.RefinementEngine;
import io.grnstream.refine.RefinementJob;
import io.grnstream.refine.RefinementRequest;
import io.grnstream.refine.RefinementResult;
import io.grnstream.refine.RequestResolver;
import io.grnstream.refine.StepListener;
import io.grnstream.refine.StepPolicy;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.stage.InstanceIds;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnreleasedInstanceIdException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A refiner worker: consumes GenerationRequests as a member of the workers' group, refines them in
 * the shared batched engine and publishes each LatentVideo exactly once.
 * <ul>
 *   <li>Long jobs: a partition with a job in flight is paused while the poll loop keeps polling, so
 *       a multi-minute job never exceeds max.poll.interval.ms; one job per partition keeps offsets
 *       committed in order, and up to {@code refiner.max.batch} partitions refine together.</li>
 *   <li>Exactly once: no transaction is open during model work. When a job ends, one short
 *       transaction publishes the latent and final event and commits the consumed offset. A crash
 *       before that re-runs the request elsewhere with identical bits (the engine is deterministic).</li>
 *   <li>Control: cancels from the control topic stop a job before its next pass; a request's
 *       deadline ends it TIMED_OUT.</li>
 *   <li>Errors: invalid or undecodable requests go to the dead-letter topic with a FAILED event at
 *       once; a failing model run is retried with back-off a bounded number of times, then
 *       dead-lettered, and the worker carries on.</li>
 * </ul>
 */
public final class RefinerWorker implements io.grnstream.stage.Stage {
    static final String STAGE_NAME = "refiner-workers";
    private static final Logger log = LoggerFactory.getLogger(RefinerWorker.class);

    private final GrnConfig config;
    private final MeterRegistry meters;
    private final String instanceId;
    private final int maxBatch;
    private final int maxAttempts;
    private final Duration backoff;
    private final long progressIntervalMs;
    private final long admissionWindowMs;
    private final long stallTimeoutMs;
    /** Records polled while a freed slot's admission window is open, offered together when it closes. */
    private final List<ConsumerRecord<byte[], byte[]>> gathered = new ArrayList<>();
    private long gatherUntilMs;
    private ModelBundle bundle;
    private RequestResolver resolver;
    private RefinementEngine engine;
    private RefinerNetwork network;
    private TextEncoder text;
    /** This worker's software, recorded in every output's provenance. */
    private String runtimeDescription;
    private RefinerMetrics metrics;
    private Topic<GenerationRequest> requests;
    private Topic<LatentVideo> latents;
    private Topic<RequestEvent> events;
    private Topic<io.grnstream.avro.DeadLetter> dlq;
    private Topic<ControlCommand> control;
    private KafkaConsumer<byte[], byte[]> consumer;
    private io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics consumerMetrics;
    private KafkaProducer<byte[], byte[]> outputs;
    private KafkaProducer<byte[], byte[]> progress;
    private Thread pollThread;
    private CancelFollower cancels;
    private volatile boolean running;
    private volatile boolean ready;
    private volatile boolean crashed;
    private volatile boolean draining;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile int assignedPartitions;
    private volatile java.util.function.Consumer<StepListener.StepProgress> stepObserver = p -> { };

    private final Map<TopicPartition, InFlight> inFlight = new HashMap<>();
    private final Map<String, InFlight> byRequest = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<InFlight> finished = new ConcurrentLinkedQueue<>();

    /** A request taken from a partition and not yet committed. */
    private static final class InFlight {
        final ConsumerRecord<byte[], byte[]> record;
        final TopicPartition partition;
        final GenerationRequest request;
        final RequestResolver.Resolved resolved;
        final long admittedAtMs;
        int attempt = 1;
        long retryAtMs;
        volatile RefinementJob job;
        volatile RefinementResult result;
        volatile Throwable failure;
        volatile boolean released;
        volatile String endReason;
        volatile long lastProgressMs;
        /** When the job last showed life: admitted, or a forward pass returned. */
        volatile long lastActivityMs;

        InFlight(ConsumerRecord<byte[], byte[]> record, GenerationRequest request, RequestResolver.Resolved resolved,
                 long now) {
            this.record = record;
            this.partition = new TopicPartition(record.topic(), record.partition());
            this.request = request;
            this.resolved = resolved;
            this.admittedAtMs = now;
        }

        String id() {
            return request.getRequestId();
        }
    }

    public RefinerWorker(GrnConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.instanceId = InstanceIds.resolve(config, "refiner");
        this.maxBatch = config.get(RefinerSettings.MAX_BATCH);
        this.maxAttempts = config.get(RefinerSettings.MAX_ATTEMPTS);
        this.backoff = config.get(RefinerSettings.RETRY_BACKOFF);
        this.progressIntervalMs = config.get(RefinerSettings.PROGRESS_INTERVAL).toMillis();
        this.admissionWindowMs = config.get(RefinerSettings.ADMISSION_WINDOW).toMillis();
        this.stallTimeoutMs = config.get(RefinerSettings.STALL_TIMEOUT).toMillis();
    }

    @Override
    public String name() {
        return STAGE_NAME;
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * Calls {@code observer} after every refinement pass of every job, on the engine's thread
     * (so a slow observer slows the job): for tracing, and for tests that act at a known pass.
     */
    public void observeSteps(java.util.function.Consumer<StepListener.StepProgress> observer) {
        stepObserver = observer;
    }

    @Override
    public synchronized void start() {
        bundle = ModelBundle.load(Path.of(config.get(InferenceSettings.MODEL_DIR)));
        resolver = new RequestResolver(bundle);
        InferenceRuntime runtime = new InferenceRuntime(config);
        network = new RefinerNetwork(bundle, runtime);
        text = new TextEncoder(bundle, runtime);
        engine = new RefinementEngine(network, text, maxBatch, RefinementEngine.samplingThreads(
                config.get(RefinerSettings.SAMPLING_THREADS), runtime.provider(), config.get(InferenceSettings.INTRA_OP_THREADS)));
        runtimeDescription = StageStamp.runtime(runtime.describe());
        metrics = new RefinerMetrics(meters, maxBatch);
        warmUp();

        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        requests = topics.topic(Topics.REQUESTS);
        latents = topics.topic(Topics.LATENTS);
        events = topics.topic(Topics.EVENTS);
        dlq = topics.topic(Topics.DLQ);
        control = topics.topic(Topics.CONTROL);

        openConsumer();
        Map<String, Object> txProps = KafkaClients.transactionalProducerProperties(config, "refiner-out-" + instanceId,
                "grn-refiner-" + instanceId);
        txProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                (int) config.get(RefinerSettings.TRANSACTION_TIMEOUT).toMillis());
        outputs = KafkaClients.bytesProducer(txProps);
        outputs.initTransactions();
        progress = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "refiner-progress-" + instanceId));

        running = true;
        cancels = new CancelFollower(config, control, "refiner-control-" + instanceId, this::onCancel).start();
        // The poll thread encodes prompts, which enters ONNX Runtime.
        pollThread = InferenceRuntime.nativeThread(this::pollLoop, "refiner-poll-" + instanceId);
        pollThread.start();
        ready = true;
        log.info("refiner worker {} ready: bundle {} ({}), batch {}", instanceId, bundle.id(), bundle.sha256(), maxBatch);
    }

    private void openConsumer() {
        Map<String, Object> consumerProps = KafkaClients.consumerProperties(config, config.get(RefinerSettings.GROUP_ID),
                "refiner-" + instanceId);
        consumerProps.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2 * maxBatch);
        if (config.get(RefinerSettings.STATIC_MEMBERSHIP)) {
            consumerProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        consumerProps.putAll(config.passThrough(CommonSettings.KAFKA_PREFIX));
        consumer = KafkaClients.bytesConsumer(consumerProps);
        // Consumer lag and fetch metrics, next to ours on /metrics.
        consumerMetrics = new io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics(consumer);
        consumerMetrics.bindTo(meters);
        consumer.subscribe(List.of(requests.name()), new Rebalance());
    }

    /**
     * A worker restarted right after a crash (kill -9, OOM) finds its static instance id still held
     * by its dead predecessor until that member's session times out; the new group protocol refuses
     * the join and leaves the consumer unusable. Start a fresh consumer and try again: the id is
     * released within one session timeout.
     */
    private void rejoinAfterUnreleasedInstanceId() {
        long waitMs = Math.min(5_000, 500L << Math.min(4, joinRetries++));
        log.warn("instance id {} is still held by an earlier member (a crashed predecessor); joining again in {} ms",
                instanceId, waitMs);
        metrics.rejoins.increment();
        consumerMetrics.close();
        consumer.close(Duration.ZERO);
        sleepQuietly(waitMs);
        openConsumer();
    }

    private int joinRetries;

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One short refinement, so the first real request does not pay for session initialisation. */
    private void warmUp() {
        try {
            engine.submit(new RefinementRequest("warm-up", "warm up", "", 0, 2.0, 1.0, new StepPolicy.Fixed(2), null))
                    .result().get(5, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("model warm-up failed: " + e.getMessage(), e);
        }
    }

    /** Partitions of the requests topic this worker owns now. */
    public int assignedPartitions() {
        return assignedPartitions;
    }

    @Override
    public boolean isReady() {
        return ready && running && !crashed && !draining;
    }

    @Override
    public boolean isLive() {
        return !crashed;
    }

    /** Admits nothing more; in-flight jobs finish and commit as usual. */
    @Override
    public void drain() {
        draining = true;
    }

    private void pollLoop() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : pollOnce()) {
                    gathered.add(record);
                }
                // A partition's records may come in a later poll than another's (one was prefetched
                // before the worker paused), so a freed slot waits a moment to see every waiting head.
                if (System.currentTimeMillis() >= gatherUntilMs && !gathered.isEmpty()) {
                    List<ConsumerRecord<byte[], byte[]>> offered = admissionOrder(gathered, this::priorityOf);
                    gathered.clear();
                    for (ConsumerRecord<byte[], byte[]> record : offered) {
                        handle(record);
                    }
                }
                publishFinished();
                startDueRetries();
                failIfStalled();
            }
            finishInFlight();
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            log.error("refiner poll loop failed", e);
            crashed = true;
        } finally {
            closeClients();
            stopped.countDown();
        }
    }

    private final Set<TopicPartition> rewound = new HashSet<>();

    /**
     * The order in which polled records are offered for admission: partitions whose first record
     * has the highest {@code priority} first, older first on a tie; within a partition the topic's
     * order. Only a partition's first record can be admitted (one job per partition), so when there
     * is room for fewer jobs than partitions with waiting requests, priority decides which run.
     */
    static List<ConsumerRecord<byte[], byte[]>> admissionOrder(Iterable<ConsumerRecord<byte[], byte[]>> polled,
                                                               ToIntFunction<ConsumerRecord<byte[], byte[]>> priority) {
        Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : polled) {
            byPartition.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new ArrayList<>()).add(r);
        }
        List<List<ConsumerRecord<byte[], byte[]>>> heads = new ArrayList<>(byPartition.values());
        if (heads.size() > 1) {
            Map<List<ConsumerRecord<byte[], byte[]>>, Integer> priorities = new java.util.IdentityHashMap<>();
            heads.forEach(l -> priorities.put(l, priority.applyAsInt(l.get(0))));
            heads.sort(Comparator.<List<ConsumerRecord<byte[], byte[]>>>comparingInt(l -> -priorities.get(l))
                    .thenComparingLong(l -> l.get(0).timestamp()));
        }
        List<ConsumerRecord<byte[], byte[]>> ordered = new ArrayList<>();
        heads.forEach(ordered::addAll);
        return ordered;
    }

    /** A request's priority, or 0 when it cannot be read (it is refused on admission anyway). */
    private int priorityOf(ConsumerRecord<byte[], byte[]> record) {
        try {
            GenerationRequest r = requests.value(record);
            return r == null ? 0 : r.getPriority();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private Iterable<ConsumerRecord<byte[], byte[]>> pollOnce() {
        rewound.clear();
        try {
            // A finished job is published by this loop, so while jobs run it comes back often.
            return consumer.poll(Duration.ofMillis(inFlight.isEmpty() ? 100 : 10));
        } catch (UnreleasedInstanceIdException e) {
            if (!inFlight.isEmpty()) {
                throw e;
            }
            rejoinAfterUnreleasedInstanceId();
            return List.of();
        }
    }

    private void handle(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition tp = new TopicPartition(record.topic(), record.partition());
        if (rewound.contains(tp)) {
            return;
        }
        if (inFlight.containsKey(tp) || inFlight.size() >= maxBatch || !running || draining) {
            // Not now: deliver it again later, and stop fetching this partition until there is room.
            consumer.seek(tp, record.offset());
            consumer.pause(List.of(tp));
            rewound.add(tp);
            return;
        }
        String key = record.key() == null ? null : requests.keySerde().deserializer().deserialize(record.topic(), record.key());
        MDC.put("requestId", String.valueOf(key));
        try {
            GenerationRequest request;
            try {
                request = requests.value(record);
            } catch (UndecodableRecordException e) {
                reject(record, key, ErrorType.UNDECODABLE_RECORD, e.getMessage(), e);
                return;
            }
            if (request == null) {
                commitOnly(record);
                return;
            }
            String id = request.getRequestId();
            long now = System.currentTimeMillis();
            Optional<String> cancelledBecause = cancels.reason(String.valueOf(id));
            if (cancelledBecause.isPresent()) {
                finishWithoutLatent(record, id, RequestStatus.CANCELLED, ErrorType.CANCELLED,
                        "cancelled before it started: " + cancelledBecause.get());
                return;
            }
            if (request.getDeadlineEpochMs() != null && request.getDeadlineEpochMs() <= now) {
                finishWithoutLatent(record, id, RequestStatus.TIMED_OUT, ErrorType.TIMED_OUT,
                        "deadline passed before it started");
                return;
            }
            RequestResolver.Resolved resolved;
            try {
                if (key == null || !key.equals(id)) {
                    throw new InvalidRequestException("requestId", "record key '" + key + "' differs from requestId '" + id + "'");
                }
                resolved = resolver.resolve(request, null);
            } catch (InvalidRequestException e) {
                reject(record, key, e.errorType(), e.getMessage(), e);
                return;
            }
            InFlight job = new InFlight(record, request, resolved, now);
            metrics.queueWait.record(Math.max(0, now - record.timestamp()), TimeUnit.MILLISECONDS);
            inFlight.put(tp, job);
            byRequest.put(id, job);
            consumer.pause(List.of(tp));
            if (inFlight.size() >= maxBatch) {
                consumer.pause(consumer.assignment());
            }
            sendProgress(Events.event(id, RequestStatus.IN_PROGRESS, Stage.REFINING, instanceId, now).setStep(0).build());
            submit(job);
        } finally {
            MDC.remove("requestId");
        }
    }

    /**
     * A forward pass that does not return (a hung GPU, a stuck driver) cannot be interrupted from
     * Java, and while the worker keeps polling its partition is never reassigned: the request would
     * wait forever. So a job silent for longer than the stall timeout ends the poll loop as a crash:
     * nothing is committed, liveness fails, the orchestrator restarts the process, and the
     * partition's next owner redoes the request.
     */
    private void failIfStalled() {
        if (stallTimeoutMs <= 0) {
            return;
        }
        long now = System.currentTimeMillis();
        for (InFlight job : inFlight.values()) {
            if (job.job != null && job.result == null && job.failure == null && now - job.lastActivityMs > stallTimeoutMs) {
                metrics.stalls.increment();
                throw new IllegalStateException("request " + job.id() + " made no progress for "
                        + (now - job.lastActivityMs) / 1000.0 + " s (refiner.stall.timeout "
                        + stallTimeoutMs / 1000.0 + " s): taking this worker down so the request is redone elsewhere");
            }
        }
    }

    private void submit(InFlight job) {
        RefinementRequest base = job.resolved.refinement();
        RefinementRequest withProgress = new RefinementRequest(base.requestId(), base.prompt(), base.negativePrompt(),
                base.seed(), base.guidanceScale(), base.temperature(), base.policy(), p -> onStep(job, p));
        job.result = null;
        job.failure = null;
        job.lastActivityMs = System.currentTimeMillis();
        job.job = engine.submit(withProgress);
        metrics.inFlight.set(inFlight.size());
        Optional<String> cancelledBecause = cancels.reason(job.id());
        if (cancelledBecause.isPresent()) {
            job.endReason = "cancelled: " + cancelledBecause.get();
            job.job.cancel(job.endReason);
        }
        job.job.result().whenComplete((result, failure) -> {
            job.result = result;
            job.failure = failure;
            finished.add(job);
        });
    }

    private void onStep(InFlight job, StepListener.StepProgress p) {
        job.lastActivityMs = System.currentTimeMillis();
        stepObserver.accept(p);
        metrics.steps.increment();
        metrics.entropy.record(p.entropy());
        Long deadline = job.request.getDeadlineEpochMs();
        long now = System.currentTimeMillis();
        if (deadline != null && now >= deadline && job.endReason == null) {
            job.endReason = "deadline";
            job.job.cancel("deadline passed after " + p.step() + " passes");
        }
        if (now - job.lastProgressMs >= progressIntervalMs || p.step() == p.totalSteps()) {
            job.lastProgressMs = now;
            sendProgress(Events.event(job.id(), RequestStatus.IN_PROGRESS, Stage.REFINING, instanceId, now)
                    .setStep(p.step()).setTotalSteps(p.totalSteps() < 0 ? null : p.totalSteps())
                    .setEntropy(p.entropy()).setEtaMs(p.etaMs() < 0 ? null : p.etaMs()).build());
        }
    }

    private void publishFinished() {
        if (crashed) {
            return;   // a crashed worker publishes and commits nothing more; the next owner redoes its jobs
        }
        InFlight job;
        while ((job = finished.poll()) != null) {
            if (job.released || inFlight.get(job.partition) != job) {
                continue; // the partition moved to another worker: it redoes the request
            }
            MDC.put("requestId", job.id());
            try {
                if (job.failure == null) {
                    publishLatent(job);
                } else if (job.failure.getCause() instanceof RequestCancelledException || job.failure instanceof RequestCancelledException) {
                    if (job.endReason == null) {
                        // Stopped by the engine shutting down, not by a cancel or a deadline: leave it
                        // uncommitted, so that whoever owns the partition next redoes it.
                        log.info("{} stopped with the engine; left for the partition's next owner", job.id());
                        continue;
                    }
                    if ("deadline".equals(job.endReason)) {
                        finishWithoutLatent(job.record, job.id(), RequestStatus.TIMED_OUT, ErrorType.TIMED_OUT,
                                "deadline passed during refinement");
                    } else {
                        finishWithoutLatent(job.record, job.id(), RequestStatus.CANCELLED, ErrorType.CANCELLED,
                                String.valueOf(job.endReason));
                    }
                } else if (job.attempt < maxAttempts) {
                    long wait = backoff.toMillis() << (job.attempt - 1);
                    log.warn("refining {} failed (attempt {} of {}), retrying in {} ms: {}", job.id(), job.attempt,
                            maxAttempts, wait, job.failure.toString());
                    metrics.failure(ErrorType.MODEL_FAILURE.name());
                    job.attempt++;
                    job.retryAtMs = System.currentTimeMillis() + wait;
                    continue;
                } else {
                    metrics.failure(ErrorType.MODEL_FAILURE.name());
                    reject(job.record, job.id(), ErrorType.MODEL_FAILURE, "model failed " + maxAttempts + " times: "
                            + job.failure, job.failure);
                }
                release(job);
            } finally {
                MDC.remove("requestId");
            }
        }
    }

    private void startDueRetries() {
        long now = System.currentTimeMillis();
        for (InFlight job : inFlight.values()) {
            if (job.retryAtMs > 0 && job.retryAtMs <= now) {
                job.retryAtMs = 0;
                submit(job);
            }
        }
    }

    /** Forgets a finished job and lets its partition (and others, if there is room) fetch again. */
    private void release(InFlight job) {
        if (inFlight.size() >= maxBatch) {
            gatherUntilMs = System.currentTimeMillis() + admissionWindowMs;
        }
        inFlight.remove(job.partition);
        byRequest.remove(job.id());
        metrics.inFlight.set(inFlight.size());
        resumeFree(Set.of());
    }

    /**
     * Lets every owned partition without a job fetch again, when there is room. Called whenever a
     * job leaves, including when a rebalance takes its partition away: partitions paused because
     * the worker was full must not stay paused once it is not.
     */
    private void resumeFree(Collection<TopicPartition> leaving) {
        if (!running || draining || inFlight.size() >= maxBatch) {
            return;
        }
        List<TopicPartition> free = new ArrayList<>();
        for (TopicPartition tp : consumer.assignment()) {
            if (!inFlight.containsKey(tp) && !leaving.contains(tp)) {
                free.add(tp);
            }
        }
        consumer.resume(free);
    }

    private void publishLatent(InFlight job) {
        RefinementResult r = job.result;
        GenerationRequest q = job.request;
        long now = System.currentTimeMillis();
        Provenance provenance = Provenance.newBuilder()
                .setRequestId(q.getRequestId())
                .setModelId(bundle.id())
                .setModelBundleSha256(bundle.sha256())
                .setSeed(q.getSeed())
                .setGuidanceScale(job.resolved.refinement().guidanceScale())
                .setTemperature(job.resolved.refinement().temperature())
                .setStepPolicy(r.policy())
                .setStepsUsed(r.stepsUsed())
                .setHbqRounds(bundle.hbqRounds())
                .setReplayOf(q.getReplayOf())
                .setRequestPartition(job.record.partition())
                .setRequestOffset(job.record.offset())
                .setWorkers(Map.of(STAGE_NAME, instanceId))
                .setRuntimes(Map.of(STAGE_NAME, runtimeDescription))
                .build();
        LatentVideo latent = LatentVideo.newBuilder()
                .setRequestId(q.getRequestId())
                .setGeometry(LatentVideoPacker.toAvro(job.resolved.geometry()))
                .setHbqRounds(bundle.hbqRounds())
                .setBitsPerToken(bundle.bitsPerToken())
                .setPackedBits(LatentVideoPacker.packBits(job.resolved.geometry(), bundle.hbqRounds(), r.bits()))
                .setStepsUsed(r.stepsUsed())
                .setEntropyTrace(floats(r.entropyTrace()))
                .setKeepRatioTrace(floats(r.keepRatioTrace()))
                .setTimings(RefineTimings.newBuilder()
                        .setQueuedMs(Math.max(0, job.admittedAtMs - job.record.timestamp()))
                        .setRefineMs(r.refineMillis())
                        .setTotalMs(Math.max(0, now - job.record.timestamp()))
                        .build())
                .setProvenance(provenance)
                .setClientMetadata(q.getClientMetadata())
                .build();
        RequestEvent done = Events.event(q.getRequestId(), RequestStatus.IN_PROGRESS, Stage.REFINING, instanceId, now)
                .setStep(r.stepsUsed()).setTotalSteps(r.stepsUsed()).setEtaMs(0L)
                .setEntropy((double) r.entropyTrace()[r.stepsUsed() - 1]).build();
        transact(job.record, List.of(latents.record(q.getRequestId(), latent), events.record(q.getRequestId(), done)));
        metrics.latents.increment();
        metrics.stepsPerRequest.record(r.stepsUsed());
        metrics.refineTime.record(r.refineMillis(), TimeUnit.MILLISECONDS);
        if (r.stepsUsed() > 0) {
            metrics.stepLatency.record(r.refineMillis() / r.stepsUsed(), TimeUnit.MILLISECONDS);
        }
        log.info("refined {} in {} passes ({} ms)", q.getRequestId(), r.stepsUsed(), r.refineMillis());
    }

    private static List<Float> floats(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) {
            out.add(v);
        }
        return out;
    }

    /** Ends a request without a latent: one event, and the offset, in one transaction. */
    private void finishWithoutLatent(ConsumerRecord<byte[], byte[]> record, String id, RequestStatus status,
                                     ErrorType type, String message) {
        long now = System.currentTimeMillis();
        metrics.failure(type.name());
        transact(record, List.of(events.record(id, Events.failed(id, status, Stage.REFINING, type, message, false,
                instanceId, now))));
        log.info("request {} ended {}: {}", id, status, message);
    }

    /** A request that can never succeed: dead letter, FAILED event when the id is usable, offset. */
    private void reject(ConsumerRecord<byte[], byte[]> record, String key, ErrorType type, String message, Throwable cause) {
        long now = System.currentTimeMillis();
        boolean usableId = BlobKeys.isValidRequestId(key);
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        out.add(dlq.record(usableId ? key : null, Events.deadLetter(usableId ? key : null, record.topic(),
                record.partition(), record.offset(), record.key(), record.value(), STAGE_NAME, type, message, cause, now)));
        if (usableId) {
            out.add(events.record(key, Events.failed(key, RequestStatus.FAILED, Stage.REFINING, type, message,
                    cause instanceof GrnException g && g.retriable(), instanceId, now)));
        }
        metrics.failure(type.name());
        transact(record, out);
        log.warn("dead-lettered {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), type, message);
    }

    private void commitOnly(ConsumerRecord<byte[], byte[]> record) {
        transact(record, List.of());
    }


    /** Publishes records and commits the consumed offset atomically. */
    private void transact(ConsumerRecord<byte[], byte[]> consumed, List<ProducerRecord<byte[], byte[]>> records) {
        TopicPartition tp = new TopicPartition(consumed.topic(), consumed.partition());
        try {
            outputs.beginTransaction();
            records.forEach(outputs::send);
            outputs.sendOffsetsToTransaction(Map.of(tp, new OffsetAndMetadata(consumed.offset() + 1)),
                    consumer.groupMetadata());
            outputs.commitTransaction();
        } catch (ProducerFencedException e) {
            throw new IllegalStateException("another worker took over this worker's transactional id", e);
        } catch (KafkaException e) {
            // The group moved the partition or the broker refused: abort; whoever owns the
            // partition now processes the request again.
            log.warn("transaction for {} aborted: {}", tp, e.toString());
            try {
                outputs.abortTransaction();
            } catch (KafkaException abort) {
                log.warn("abort failed: {}", abort.toString());
            }
        }
    }

    private void sendProgress(RequestEvent event) {
        try {
            progress.send(events.record(event.getRequestId(), event));
        } catch (KafkaException e) {
            log.debug("progress event dropped: {}", e.toString());
        }
    }

    /** A cancel from the control topic: a running job stops before its next pass. */
    private void onCancel(String requestId, String reason) {
        InFlight job = byRequest.get(requestId);
        if (job != null && job.job != null) {
            job.endReason = "cancelled: " + reason;
            job.job.cancel(reason);
        }
    }

    /** Graceful stop: finish in-flight jobs within the drain timeout, release the rest uncommitted. */
    private void finishInFlight() {
        consumer.pause(consumer.assignment());
        long deadline = System.nanoTime() + config.get(RefinerSettings.DRAIN_TIMEOUT).toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(100));
            publishFinished();
            startDueRetries();
        }
        for (InFlight job : inFlight.values()) {
            job.released = true;
            if (job.job != null) {
                job.job.cancel("worker stopping");
            }
        }
        inFlight.clear();
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (!partitions.isEmpty()) {
                metrics.rebalances.increment();
            }
            for (TopicPartition tp : partitions) {
                InFlight job = inFlight.remove(tp);
                if (job != null) {
                    job.released = true;
                    byRequest.remove(job.id());
                    if (job.job != null) {
                        job.job.cancel("partition moved to another worker");
                    }
                    log.info("released {} of revoked partition {}", job.id(), tp);
                }
            }
            metrics.inFlight.set(inFlight.size());
            // Records gathered for admission from a partition now owned elsewhere are not ours to run.
            gathered.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
            assignedPartitions = Math.max(0, consumer.assignment().size() - partitions.size());
            resumeFree(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            joinRetries = 0;
            assignedPartitions = consumer.assignment().size();
            if (inFlight.size() >= maxBatch || !running || draining) {
                consumer.pause(partitions);
            } else {
                resumeFree(Set.of());
            }
        }
    }

    @Override
    public void close() {
        Thread poll = pollThread;
        if (poll == null) {
            return;
        }
        running = false;
        try {
            stopped.await(config.get(RefinerSettings.DRAIN_TIMEOUT).toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeEngine();
        if (cancels != null) {
            cancels.close();
        }
        ready = false;
        pollThread = null;
    }

    /**
     * Stops as if the process were killed: no drain, nothing more published or committed. Tests
     * use it to show that another worker then redoes the request.
     */
    void crash() {
        crashed = true;
        running = false;
        engine.close();
        consumer.wakeup();
        try {
            stopped.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeEngine();
        if (cancels != null) {
            cancels.close();
        }
        pollThread = null;
    }

    private void closeClients() {
        if (consumerMetrics != null) {
            consumerMetrics.close();
        }
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        if (outputs != null) {
            outputs.close(Duration.ofSeconds(5));
        }
        if (progress != null) {
            progress.close(Duration.ofSeconds(5));
        }
    }

    private void closeEngine() {
        engine.close();
        network.close();
        text.close();
    }
}
