package io.grnstream.status;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.blob.BlobKeys;
import io.grnstream.errors.InvalidRequestException;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.RequestEventJson;
import io.grnstream.kafka.VideoReadyJson;
import io.grnstream.kafka.Topic;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.kafka.Topics;
import io.grnstream.ops.HttpServers;
import io.grnstream.registry.SchemaRegistries;
import io.grnstream.stage.InstanceIds;
import io.grnstream.stage.Stage;
import io.grnstream.stage.StreamsStages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request's latest event, kept in a state store materialised from the compacted events
 * topic (the topic itself serves as the store's changelog, so nothing is written back to Kafka),
 * and answered at {@code GET /v1/requests/{id}}: 200 with the event as JSON, 404 with status
 * NOT_FOUND, 400 for an id no request can have, 503 while the view is being built or moved.
 * {@code GET /v1/requests/{id}/events} follows a request as server-sent events until it ends, and
 * {@code GET /v1/requests/{id}/video} says where its MP4 is. With submission enabled,
 * {@code POST /v1/requests} submits and {@code DELETE /v1/requests/{id}} cancels.
 * Instances sharing an application id split the partitions; a lookup that reaches an instance
 * without the id's partition is forwarded once to the instance that has it.
 */
public final class StatusService implements Stage {
    private static final Logger log = LoggerFactory.getLogger(StatusService.class);
    public static final String STORE = "request-status";
    public static final String VIDEO_STORE = "request-videos";
    public static final String COLLECTION = "/v1/requests";
    public static final String PATH = COLLECTION + "/";
    private static final int MAX_BODY_BYTES = 64 * 1024;
    /** Set on a forwarded lookup so that a view in the middle of moving never bounces it on. */
    static final String FORWARDED_HEADER = "X-Grn-Forwarded";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration FORWARD_TIMEOUT = Duration.ofSeconds(5);
    static final String EVENTS_SUFFIX = "/events";
    static final String VIDEO_SUFFIX = "/video";

    /** What a lookup reads: a store, the path suffix that asks for it, and how an answer is written. */
    private record View(String store, String suffix, java.util.function.Function<Object, String> found,
                        java.util.function.Function<String, String> notFound) {
    }

    private static final View STATUS_VIEW = new View(STORE, "", e -> RequestEventJson.write((RequestEvent) e),
            RequestEventJson::notFound);
    private static final View VIDEO_VIEW = new View(VIDEO_STORE, VIDEO_SUFFIX, v -> VideoReadyJson.write((VideoReady) v),
            id -> JsonNodeFactory.instance.objectNode().put("requestId", id).put("error", "no video for this id: it has"
                    + " not finished, ended without one, or was never submitted (see " + PATH + id + ")").toString());
    /** How long an event stream for an id not yet in the view waits for it: a client may follow
     * a request it has just submitted, before its QUEUED event has reached the view. */
    private static final Duration NOT_FOUND_GRACE = Duration.ofSeconds(2);

    private final GrnConfig config;
    private final String instanceId;
    private final Timer lookupTime;
    private final Counter forwarded;
    private final MeterRegistry meters;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(FORWARD_TIMEOUT).build();
    private final EventSubscriptions subscriptions = new EventSubscriptions();
    private final Semaphore openStreams;
    private final Duration heartbeat;
    private HttpServer http;
    /** Null unless status.submit.enabled. */
    private HttpSubmissions submissions;
    private KafkaProducer<byte[], byte[]> producer;
    private ExecutorService httpThreads;
    private HostInfo self;
    private volatile KafkaStreams streams;

    public StatusService(GrnConfig config, MeterRegistry meters) {
        this.config = config;
        this.meters = meters;
        this.instanceId = InstanceIds.resolve(config, "status");
        this.openStreams = new Semaphore(config.get(StatusSettings.STREAMS_MAX));
        this.heartbeat = config.get(StatusSettings.STREAMS_HEARTBEAT);
        meters.gauge("grn.status.streams.open", openStreams,
                sem -> config.get(StatusSettings.STREAMS_MAX) - sem.availablePermits());
        this.lookupTime = Timer.builder("grn.status.lookup.time").description("one status lookup, forwarding included")
                .register(meters);
        this.forwarded = Counter.builder("grn.status.forwarded")
                .description("lookups passed to the instance that holds the id's partition").register(meters);
    }

    @Override
    public String name() {
        return "status";
    }

    /** The Streams topology: the events topic as a table, materialised without a changelog of its own. */
    static Topology topology(Topic<RequestEvent> events, Topic<VideoReady> videos, Properties props,
                             EventSubscriptions subscriptions) {
        StreamsBuilder builder = new StreamsBuilder();
        // The compacted videos topic, the same way: GET .../video answers where a finished MP4 is.
        builder.table(videos.name(), Consumed.with(videos.keySerde(), videos.valueSerde()),
                Materialized.<String, VideoReady, KeyValueStore<Bytes, byte[]>>as(VIDEO_STORE)
                        .withKeySerde(videos.keySerde()).withValueSerde(videos.valueSerde()).withCachingDisabled());
        builder.table(events.name(), Consumed.with(events.keySerde(), events.valueSerde()),
                        Materialized.<String, RequestEvent, KeyValueStore<Bytes, byte[]>>as(STORE)
                                .withKeySerde(events.keySerde()).withValueSerde(events.valueSerde())
                                // A lookup sees an event as soon as it is processed, not at the next commit.
                                .withCachingDisabled())
                // Restoring a store does not pass through here: followers get new events only.
                .toStream().foreach(subscriptions::publish);
        return builder.build(props);
    }

    @Override
    public synchronized void start() {
        try {
            http = HttpServers.create(config.get(StatusSettings.HTTP_PORT));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on port " + config.get(StatusSettings.HTTP_PORT)
                    + " for status lookups", e);
        }
        self = advertised(config, http.getAddress().getPort());
        Properties props = streamsProperties(config, instanceId, self);
        TopicRegistry topics = new TopicRegistry(config, SchemaRegistries.fromConfig(config));
        KafkaStreams s = new KafkaStreams(topology(topics.topic(Topics.EVENTS), topics.topic(Topics.VIDEOS), props,
                subscriptions), props);
        try {
            StreamsStages.startAndAwaitRunning(s, "status view", START_TIMEOUT);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        streams = s;
        if (config.get(StatusSettings.SUBMIT_ENABLED)) {
            producer = KafkaClients.bytesProducer(KafkaClients.producerProperties(config, "status-api-" + instanceId));
            submissions = new HttpSubmissions(producer, topics.topic(Topics.REQUESTS), topics.topic(Topics.EVENTS),
                    topics.topic(Topics.CONTROL));
        }
        // An event stream holds its thread for as long as it lasts; the stream limit keeps
        // HTTP_THREADS free for lookups however many streams are open.
        int threads = config.get(StatusSettings.HTTP_THREADS) + config.get(StatusSettings.STREAMS_MAX);
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "status-http");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        httpThreads = pool;
        http.setExecutor(httpThreads);
        http.createContext(COLLECTION, this::handle);
        http.start();
        log.info("status lookups at http://{}:{}{}{{id}}", self.host(), self.port(), PATH);
    }

    /** Where this instance is reached, as other instances and Kafka Streams' metadata name it. */
    static HostInfo advertised(GrnConfig config, int port) {
        String url = config.get(StatusSettings.ADVERTISED_URL);
        if (url.isBlank()) {
            try {
                return new HostInfo(InetAddress.getLocalHost().getHostName(), port);
            } catch (UnknownHostException e) {
                return new HostInfo("localhost", port);
            }
        }
        URI uri = URI.create(url);
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException(StatusSettings.ADVERTISED_URL.key() + " must be http://host:port, got " + url);
        }
        return new HostInfo(uri.getHost(), uri.getPort());
    }

    static Properties streamsProperties(GrnConfig config, String instanceId, HostInfo self) {
        return StreamsStages.properties(config, config.get(StatusSettings.APPLICATION_ID),
                config.get(StatusSettings.STATE_DIR), "status-" + instanceId, instanceId, Map.of(
                        StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.get(StatusSettings.STREAM_THREADS),
                        StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port(),
                        // The compacted events topic is the store's changelog: restoring reads it, nothing is copied.
                        StreamsConfig.TOPOLOGY_OPTIMIZATION_CONFIG, StreamsConfig.REUSE_KTABLE_SOURCE_TOPICS,
                        // Events of aborted transactions (a stage that crashed mid-publish) never reach the view.
                        StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed",
                        // An undecodable event is logged and skipped; the view keeps that request's previous event.
                        StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class));
    }

    private void handle(HttpExchange exchange) throws IOException {
        Timer.Sample sample = Timer.start(meters);
        Answer answer;
        try {
            String rest = exchange.getRequestURI().getRawPath().substring(COLLECTION.length());
            String method = exchange.getRequestMethod();
            if (rest.isEmpty() || rest.equals("/")) {
                answer = "POST".equals(method) ? submit(exchange) : Answer.error(405, "POST " + COLLECTION + " to submit");
            } else {
                rest = rest.substring(1);
                boolean follow = rest.endsWith(EVENTS_SUFFIX);
                View view = rest.endsWith(VIDEO_SUFFIX) ? VIDEO_VIEW : STATUS_VIEW;
                String suffix = follow ? EVENTS_SUFFIX : view.suffix();
                String id = URLDecoder.decode(rest.substring(0, rest.length() - suffix.length()), StandardCharsets.UTF_8);
                boolean forwarded = exchange.getRequestHeaders().containsKey(FORWARDED_HEADER);
                if (!BlobKeys.isValidRequestId(id)) {
                    answer = Answer.error(400, "no request can have the id '" + abbreviate(id) + "'");
                } else if ("DELETE".equals(method) && suffix.isEmpty()) {
                    answer = cancel(exchange, id);
                } else if (!"GET".equals(method)) {
                    answer = Answer.error(405, "GET " + PATH + "{id}[/events|/video], DELETE " + PATH + "{id}");
                } else if (follow) {
                    answer = streams(exchange, id, forwarded);
                    if (answer == null) {
                        return;   // the stream was served and has ended
                    }
                } else {
                    answer = lookup(view, id, forwarded);
                }
            }
        } catch (InvalidRequestException e) {
            answer = new Answer(400, JsonNodeFactory.instance.objectNode().put("error", e.getMessage())
                    .put("field", e.field()).toString());
        } catch (RuntimeException e) {
            log.warn("status request failed", e);
            answer = Answer.error(500, e.toString());
        }
        outcome(answer.code).increment();
        byte[] body = answer.body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        if (answer.code == 503) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        if (answer.code == 202 && answer.location != null) {
            exchange.getResponseHeaders().set("Location", answer.location);
        }
        exchange.sendResponseHeaders(answer.code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        sample.stop(lookupTime);
    }

    /**
     * {@code POST /v1/requests}: 202 with the new request's id and URLs; 200 with the current
     * status when a request with the given requestId exists already (a retried POST makes no
     * second video); 400 naming the field for a body that describes no request.
     */
    private Answer submit(HttpExchange exchange) throws IOException {
        if (submissions == null) {
            return Answer.error(405, "submitting over HTTP is off here (status.submit.enabled)");
        }
        byte[] raw = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (raw.length > MAX_BODY_BYTES) {
            return Answer.error(413, "a request body is at most " + MAX_BODY_BYTES + " bytes");
        }
        GenerationRequest request = HttpSubmissions.parse(new String(raw, StandardCharsets.UTF_8), System.currentTimeMillis());
        Answer existing = lookup(STATUS_VIEW, request.getRequestId(), false);
        if (existing.code == 200 || existing.code == 503) {
            return existing;   // already submitted, or the view cannot tell yet: never submit twice on a guess
        }
        submissions.submit(request);
        return new Answer(202, HttpSubmissions.accepted(request.getRequestId(), RequestStatus.QUEUED.name()),
                PATH + request.getRequestId());
    }

    /** {@code DELETE /v1/requests/{id}}: 202 once the cancel is on the control topic; 409 if it already ended. */
    private Answer cancel(HttpExchange exchange, String id) {
        if (submissions == null) {
            return Answer.error(405, "cancelling over HTTP is off here (status.submit.enabled)");
        }
        Answer current = lookup(STATUS_VIEW, id, false);
        if (current.code != 200) {
            return current;
        }
        RequestEvent latest = RequestEventJson.parse(current.body);
        if (Events.isTerminal(latest.getStatus())) {
            return new Answer(409, JsonNodeFactory.instance.objectNode().put("requestId", id)
                    .put("status", latest.getStatus().name()).put("error", "it has already ended").toString());
        }
        String query = exchange.getRequestURI().getRawQuery();
        String reason = query != null && query.startsWith("reason=")
                ? URLDecoder.decode(query.substring("reason=".length()), StandardCharsets.UTF_8) : "cancelled over HTTP";
        submissions.cancel(id, reason, System.currentTimeMillis());
        return new Answer(202, HttpSubmissions.accepted(id, "CANCEL_REQUESTED"), PATH + id);
    }

    private Counter outcome(int code) {
        String outcome = switch (code) {
            case 200 -> "found";
            case 404 -> "not_found";
            case 503 -> "unavailable";
            default -> "error";
        };
        return Counter.builder("grn.status.lookups").tag("outcome", outcome).description("status lookups answered")
                .register(meters);
    }

    private Answer lookup(View view, String id, boolean forwarded) {
        KafkaStreams s = streams;
        if (s == null || (s.state() != KafkaStreams.State.RUNNING && s.state() != KafkaStreams.State.REBALANCING)) {
            return Answer.error(503, "the status view is not running");
        }
        KeyQueryMetadata where = s.queryMetadataForKey(view.store(), id, Serdes.String().serializer());
        if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            return Answer.error(503, "the status view is being built or moved; retry");
        }
        if (where.activeHost().equals(self)) {
            try {
                Object latest = StatusService.<Object>store(s, view.store(), where.partition()).get(id);
                return latest == null ? new Answer(404, view.notFound().apply(id))
                        : new Answer(200, view.found().apply(latest));
            } catch (InvalidStateStoreException e) {
                return Answer.error(503, "the status view of partition " + where.partition() + " is moving; retry");
            }
        }
        if (forwarded) {
            return Answer.error(503, "the status view of this id moved while the lookup was forwarded; retry");
        }
        return forward(where.activeHost(), id, view.suffix());
    }

    /**
     * {@code GET /v1/requests/{id}/events}: the request's latest event, then every new one as it
     * arrives, as server-sent events, until a terminal one. Returns null once a stream has been
     * served, or the answer to give instead (unknown id, no view, too many streams).
     */
    private Answer streams(HttpExchange exchange, String id, boolean forwarded) throws IOException {
        if (!openStreams.tryAcquire()) {
            return Answer.error(503, "this instance already serves " + config.get(StatusSettings.STREAMS_MAX)
                    + " event streams");
        }
        try {
            KafkaStreams s = streams;
            if (s == null || (s.state() != KafkaStreams.State.RUNNING && s.state() != KafkaStreams.State.REBALANCING)) {
                return Answer.error(503, "the status view is not running");
            }
            KeyQueryMetadata where = s.queryMetadataForKey(STORE, id, Serdes.String().serializer());
            if (where == null || where.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
                return Answer.error(503, "the status view is being built or moved; retry");
            }
            if (!where.activeHost().equals(self)) {
                return forwarded ? Answer.error(503, "the status view of this id moved while the stream was forwarded; retry")
                        : relayStream(exchange, where.activeHost(), id);
            }
            try (EventSubscriptions.Subscription subscription = subscriptions.subscribe(id)) {
                // Subscribed first, read second: an event arriving in between is in the queue too.
                RequestEvent current;
                try {
                    current = StatusService.<RequestEvent>store(s, STORE, where.partition()).get(id);
                } catch (InvalidStateStoreException e) {
                    return Answer.error(503, "the status view of partition " + where.partition() + " is moving; retry");
                }
                if (current == null) {
                    current = subscription.events.poll(NOT_FOUND_GRACE.toMillis(), TimeUnit.MILLISECONDS);
                }
                if (current == null) {
                    return new Answer(404, RequestEventJson.notFound(id));
                }
                exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
                exchange.getResponseHeaders().set("Cache-Control", "no-store");
                exchange.sendResponseHeaders(200, 0);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write("retry: 1000\n\n".getBytes(StandardCharsets.UTF_8));
                    RequestEvent last = null;
                    RequestEvent next = current;
                    while (true) {
                        if (next != null && !next.equals(last)) {
                            out.write(("event: status\ndata: " + RequestEventJson.write(next) + "\n\n")
                                    .getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            last = next;
                            if (Events.isTerminal(next.getStatus())) {
                                return null;
                            }
                        } else if (next == null) {
                            // Nothing new: a comment keeps proxies from closing an idle stream, and a
                            // partition that moved away ends it (the client reconnects to the new holder).
                            out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
                            out.flush();
                            KeyQueryMetadata now;
                            try {
                                now = s.queryMetadataForKey(STORE, id, Serdes.String().serializer());
                            } catch (RuntimeException e) {
                                return null;   // the view is closing; the response has begun, so just end it
                            }
                            if (streams != s || now == null || !self.equals(now.activeHost())) {
                                return null;
                            }
                        }
                        next = subscription.events.poll(heartbeat.toMillis(), TimeUnit.MILLISECONDS);
                    }
                } catch (IOException e) {
                    return null;   // the client went away
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        } finally {
            openStreams.release();
        }
    }

    /** Passes the holder's event stream through to a client that reached this instance. */
    private Answer relayStream(HttpExchange exchange, HostInfo owner, String id) {
        forwarded.increment();
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + PATH
                + URLEncoder.encode(id, StandardCharsets.UTF_8) + EVENTS_SUFFIX);
        HttpResponse<InputStream> response;
        try {
            response = forwarder.send(HttpRequest.newBuilder(uri).header(FORWARDED_HEADER, instanceId).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            return Answer.error(503, "the instance holding this id (" + owner.host() + ":" + owner.port()
                    + ") did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(503, "interrupted");
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                return new Answer(response.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // either side went away; the client reconnects if it still wants the stream
        }
        return null;
    }

    /** One partition of a store of this instance's view. */
    private static <V> ReadOnlyKeyValueStore<String, V> store(KafkaStreams s, String name, int partition) {
        return s.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    private Answer forward(HostInfo owner, String id, String suffix) {
        forwarded.increment();
        URI uri = URI.create("http://" + owner.host() + ":" + owner.port() + PATH
                + URLEncoder.encode(id, StandardCharsets.UTF_8) + suffix);
        try {
            HttpResponse<String> response = forwarder.send(HttpRequest.newBuilder(uri).timeout(FORWARD_TIMEOUT)
                    .header(FORWARDED_HEADER, instanceId).GET().build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return Answer.error(503, "the instance holding this id (" + owner.host() + ":" + owner.port()
                    + ") did not answer: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Answer.error(503, "interrupted");
        }
    }

    /** Partitions of the events topic whose view this instance holds (active, not standby). */
    public int partitionsHeld() {
        KafkaStreams s = streams;
        return s == null ? 0 : s.metadataForLocalThreads().stream()
                .mapToInt(t -> t.activeTasks().stream().mapToInt(task -> task.topicPartitions().size()).sum()).sum();
    }

    /** Lookups this instance passed to another since it started. */
    public long lookupsForwarded() {
        return (long) forwarded.count();
    }

    /** The port lookups are served on (useful when configured as 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    @Override
    public boolean isReady() {
        KafkaStreams s = streams;
        return s != null && http != null && s.state() == KafkaStreams.State.RUNNING;
    }

    @Override
    public boolean isLive() {
        return StreamsStages.isLive(streams);
    }

    @Override
    public synchronized void close() {
        if (http != null) {
            http.stop(0);
            http = null;
        }
        if (httpThreads != null) {
            httpThreads.shutdownNow();
            httpThreads = null;
        }
        StreamsStages.close(streams, Duration.ofSeconds(30));
        streams = null;
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
            producer = null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }

    private record Answer(int code, String body, String location) {
        Answer(int code, String body) {
            this(code, body, null);
        }

        static Answer error(int code, String message) {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.put("error", message);
            return new Answer(code, o.toString());
        }
    }
}
