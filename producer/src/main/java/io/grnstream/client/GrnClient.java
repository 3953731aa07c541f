package io.grnstream.client;

import io.grnstream.avro.ControlAction;
import io.grnstream.avro.ControlCommand;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobKeys;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.registry.SchemaRegistries;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.utils.Utils;

/**
 * The client library: submit a request, follow its events, get its video, cancel it, ask its
 * status. A tracking thread follows the events and videos topics ({@code read_committed}) from the
 * moment the client starts and routes records to the handles of requests it submitted or watches.
 */
public final class GrnClient implements AutoCloseable {
    /**
     * Records read per lookup step, newest first: a request's latest record is almost always near
     * the end of its partition, so most lookups read one window instead of the whole partition.
     */
    static final int LOOKUP_WINDOW = 2048;
    private final GrnConfig config;
    private final Topic<GenerationRequest> requests;
    private final Topic<RequestEvent> events;
    private final Topic<VideoReady> videos;
    private final Topic<ControlCommand> control;
    private final Topic<io.grnstream.avro.LatentVideo> latents;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<String, RequestHandle> handles = new ConcurrentHashMap<>();
    private final KafkaConsumer<byte[], byte[]> tracker;
    private Thread trackerThread;
    private volatile boolean running = true;
    private final Object lookupLock = new Object();
    private KafkaConsumer<byte[], byte[]> lookup;
    private final java.util.concurrent.atomic.AtomicLong lookupRecordsRead = new java.util.concurrent.atomic.AtomicLong();
    /** Null unless status.url is set. */
    private final StatusServiceClient statusService;

    public GrnClient(GrnConfig config) {
        this.config = config;
        String statusUrl = config.definition().find(ClientSettings.STATUS_URL.key()).isPresent()
                ? config.get(ClientSettings.STATUS_URL) : "";
        statusService = statusUrl.isBlank() ? null : new StatusServiceClient(statusUrl);
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        requests = topics.topic(Topics.REQUESTS);
        events = topics.topic(Topics.EVENTS);
        videos = topics.topic(Topics.VIDEOS);
        control = topics.topic(Topics.CONTROL);
        latents = topics.topic(Topics.LATENTS);
        producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "grn-client"));
        tracker = unassignedConsumer("grn-client-tracker");
        try {
            List<TopicPartition> all = new ArrayList<>();
            for (String name : List.of(events.name(), videos.name())) {
                List<PartitionInfo> partitions = tracker.partitionsFor(name);
                if (partitions == null || partitions.isEmpty()) {
                    throw new IllegalStateException("topic " + name + " does not exist; is this a GRN Stream cluster"
                            + " (topic.prefix " + config.get(io.grnstream.config.CommonSettings.TOPIC_PREFIX) + ")?");
                }
                for (PartitionInfo p : partitions) {
                    all.add(new TopicPartition(p.topic(), p.partition()));
                }
            }
            tracker.assign(all);
            tracker.seekToEnd(all);
            all.forEach(tracker::position);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            close();
            throw new IllegalStateException("cannot reach Kafka at "
                    + config.get(io.grnstream.config.CommonSettings.BOOTSTRAP_SERVERS) + " (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        trackerThread = new Thread(this::track, "grn-client-tracker");
        trackerThread.setDaemon(true);
        trackerThread.start();
    }

    private KafkaConsumer<byte[], byte[]> unassignedConsumer(String clientId) {
        return unassignedConsumer(clientId, Map.of());
    }

    private KafkaConsumer<byte[], byte[]> unassignedConsumer(String clientId, Map<String, Object> overrides) {
        Map<String, Object> props = KafkaClients.consumerProperties(config, "unused", clientId + "-" + UUID.randomUUID());
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.remove(ConsumerConfig.GROUP_PROTOCOL_CONFIG);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 15_000);
        props.putAll(overrides);
        return KafkaClients.bytesConsumer(props);
    }

    /**
     * Submits a request (a requestId is made up when empty). Submitting an id that already exists
     * returns a handle on the existing request and produces nothing, so retries never make a second video.
     * An id made up here is new by construction, so only a caller's own id costs an existence lookup.
     */
    public RequestHandle submit(GenerationRequest request) {
        GenerationRequest.Builder b = GenerationRequest.newBuilder(request);
        boolean madeUpId = request.getRequestId() == null || request.getRequestId().isEmpty();
        if (madeUpId) {
            b.setRequestId(UUID.randomUUID().toString());
        }
        if (request.getSubmittedAtEpochMs() == 0) {
            b.setSubmittedAtEpochMs(System.currentTimeMillis());
        }
        GenerationRequest r = b.build();
        String id = BlobKeys.validRequestId(r.getRequestId());
        RequestHandle handle = watch(id);
        if (!madeUpId && latestEvent(id).isPresent()) {
            return handle;
        }
        long now = System.currentTimeMillis();
        producer.send(requests.record(id, r));
        producer.send(events.record(id, Events.event(id, RequestStatus.QUEUED, Stage.SUBMITTED, "grn-client", now).build()));
        producer.flush();
        return handle;
    }

    /** A handle on a request submitted elsewhere; it sees events from now on. */
    public RequestHandle watch(String requestId) {
        return handles.computeIfAbsent(requestId, RequestHandle::new);
    }

    public void cancel(String requestId, String reason) {
        producer.send(control.record(requestId, ControlCommand.newBuilder().setRequestId(requestId)
                .setAction(ControlAction.CANCEL).setReason(reason).setIssuedBy("grn-client")
                .setIssuedAtEpochMs(System.currentTimeMillis()).build()));
        producer.flush();
    }

    /**
     * The latest event of a request: asked of the status service when status.url is set, else (or
     * when it does not answer) read from the one partition of the compacted events topic its key
     * maps to; empty means nobody submitted it (NOT_FOUND).
     */
    public Optional<RequestEvent> latestEvent(String requestId) {
        if (statusService != null) {
            Optional<Optional<RequestEvent>> answer = statusService.latestEvent(requestId);
            if (answer.isPresent()) {
                return answer.get();
            }
        }
        return latest(events, requestId);
    }

    /** The VideoReady of a finished request, if any. */
    public Optional<VideoReady> video(String requestId) {
        return latest(videos, requestId);
    }

    /** The request as it was submitted (the requests topic is the replay source of truth). */
    public Optional<GenerationRequest> request(String requestId) {
        return latest(requests, requestId);
    }

    /** The committed latent of a request, while the latents topic still holds it. */
    public Optional<io.grnstream.avro.LatentVideo> latent(String requestId) {
        return latest(latents, requestId);
    }

    /**
     * Requests submitted between two instants, found with offsetsForTimes on every partition; no
     * consumer group is used, so production offsets are never touched.
     */
    public List<GenerationRequest> requestsBetween(java.time.Instant from, java.time.Instant to) {
        List<GenerationRequest> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> reader = unassignedConsumer("grn-client-replay")) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : reader.partitionsFor(requests.name())) {
                partitions.add(new TopicPartition(p.topic(), p.partition()));
            }
            reader.assign(partitions);
            Map<TopicPartition, Long> query = new java.util.HashMap<>();
            partitions.forEach(tp -> query.put(tp, from.toEpochMilli()));
            Map<TopicPartition, Long> ends = reader.endOffsets(partitions);
            reader.offsetsForTimes(query).forEach((tp, start) -> reader.seek(tp, start == null ? ends.get(tp) : start.offset()));
            while (partitions.stream().anyMatch(tp -> reader.position(tp) < ends.get(tp))) {
                for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                    if (record.timestamp() <= to.toEpochMilli()) {
                        try {
                            GenerationRequest r = requests.value(record);
                            if (r != null) {
                                found.add(r);
                            }
                        } catch (RuntimeException e) {
                            // undecodable records were dead-lettered by the workers; nothing to replay
                        }
                    }
                }
            }
        }
        return found;
    }

    /**
     * The latest record of a key in the one partition its key maps to, read backwards in windows of
     * {@link #LOOKUP_WINDOW} records from the end: the first window (newest first) that holds the key
     * holds its latest record. A key that is not there still costs a read of the whole partition.
     */
    private <V extends org.apache.avro.specific.SpecificRecord> Optional<V> latest(Topic<V> topic, String key) {
        synchronized (lookupLock) {
            // One reader for every lookup: a new consumer per call cost more than the scan itself.
            if (lookup == null) {
                lookup = unassignedConsumer("grn-client-lookup", Map.of(
                        // A lookup reads to a known end and never waits for new records; with the
                        // default 500 ms the fetch left waiting at a partition's end delayed the next lookup.
                        ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10));
            }
            KafkaConsumer<byte[], byte[]> reader = lookup;
            List<PartitionInfo> partitions = reader.partitionsFor(topic.name());
            byte[] keyBytes = topic.keySerde().serializer().serialize(topic.name(), key);
            TopicPartition tp = new TopicPartition(topic.name(), Utils.toPositive(Utils.murmur2(keyBytes)) % partitions.size());
            reader.assign(List.of(tp));
            long begin = reader.beginningOffsets(List.of(tp)).get(tp);
            long windowEnd = reader.endOffsets(List.of(tp)).get(tp);
            V last = null;
            while (last == null && windowEnd > begin) {
                long windowStart = Math.max(begin, windowEnd - LOOKUP_WINDOW);
                reader.seek(tp, windowStart);
                while (reader.position(tp) < windowEnd) {
                    for (ConsumerRecord<byte[], byte[]> record : reader.poll(Duration.ofMillis(200))) {
                        if (record.offset() >= windowEnd) {
                            break;   // read by the previous window
                        }
                        lookupRecordsRead.incrementAndGet();
                        if (record.key() != null && key.equals(topic.key(record))) {
                            last = topic.value(record);
                        }
                    }
                }
                windowEnd = windowStart;
            }
            return Optional.ofNullable(last);
        }
    }

    /** Records this client read from Kafka to answer lookups since it started: what lookups cost. */
    public long lookupRecordsRead() {
        return lookupRecordsRead.get();
    }

    private void track() {
        try {
            while (running) {
                for (ConsumerRecord<byte[], byte[]> record : tracker.poll(Duration.ofMillis(100))) {
                    if (record.key() == null) {
                        continue;
                    }
                    RequestHandle handle = handles.get(new String(record.key(), java.nio.charset.StandardCharsets.UTF_8));
                    if (handle == null) {
                        continue;
                    }
                    if (record.topic().equals(events.name())) {
                        handle.event(events.value(record));
                    } else {
                        handle.ready(videos.value(record));
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            handles.values().forEach(h -> h.video().completeExceptionally(e));
        } finally {
            tracker.close(Duration.ofSeconds(2));
        }
    }

    @Override
    public void close() {
        running = false;
        if (trackerThread != null) {
            tracker.wakeup();
            try {
                trackerThread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            tracker.close(Duration.ofSeconds(1));
        }
        producer.close(Duration.ofSeconds(1));
        synchronized (lookupLock) {
            if (lookup != null) {
                lookup.close(Duration.ofSeconds(1));
                lookup = null;
            }
        }
    }
}
