package io.grnstream.notifier;

import io.grnstream.avro.DeadLetter;
import io.grnstream.avro.ErrorType;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.VideoReady;
import io.grnstream.kafka.Events;
import io.grnstream.kafka.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers which requests asked for a webhook (requests topic), turns their end (a VideoReady,
 * or a FAILED, CANCELLED or TIMED_OUT event) into a pending delivery, and makes the deliveries
 * from a wall-clock punctuation: attempts run asynchronously, and their outcomes are applied on
 * the next tick, so a slow receiver never holds up the stream thread. Delivery is at least once.
 */
final class WebhookProcessor implements Processor<byte[], byte[], String, DeadLetter> {
    private static final Logger log = LoggerFactory.getLogger(WebhookProcessor.class);
    static final String HOOKS = "webhooks";
    static final String DELIVERIES = "deliveries";
    static final String STAGE_NAME = "notifier";
    static final Duration TICK = Duration.ofMillis(250);
    private static final Duration SWEEP = Duration.ofMinutes(1);

    private final Topic<GenerationRequest> requests;
    private final Topic<VideoReady> videos;
    private final Topic<RequestEvent> events;
    private final NotifierOptions options;
    private final NotifierMetrics metrics;
    private final WebhookSender sender;
    private final Set<String> inFlight = new HashSet<>();
    private final ConcurrentLinkedQueue<KeyValue<String, WebhookSender.Attempt>> finished = new ConcurrentLinkedQueue<>();
    private ProcessorContext<String, DeadLetter> context;
    private KeyValueStore<String, Hook> hooks;
    private KeyValueStore<String, Delivery> deliveries;
    private long lastSweepMs;

    WebhookProcessor(Topic<GenerationRequest> requests, Topic<VideoReady> videos, Topic<RequestEvent> events,
                     NotifierOptions options, NotifierMetrics metrics) {
        this.requests = requests;
        this.videos = videos;
        this.events = events;
        this.options = options;
        this.metrics = metrics;
        this.sender = new WebhookSender(options.timeout(), options.secret());
    }

    @Override
    public void init(ProcessorContext<String, DeadLetter> context) {
        this.context = context;
        this.hooks = context.getStateStore(HOOKS);
        this.deliveries = context.getStateStore(DELIVERIES);
        context.schedule(TICK, PunctuationType.WALL_CLOCK_TIME, this::tick);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata from = context.recordMetadata().orElseThrow();
        try {
            if (from.topic().equals(requests.name())) {
                register(requests.value(record.value()), record);
            } else if (from.topic().equals(videos.name())) {
                VideoReady v = videos.value(record.value());
                enqueue(v.getRequestId(), Webhook.VIDEO_READY, () -> Webhook.videoReady(v), from);
            } else if (from.topic().equals(events.name())) {
                RequestEvent e = events.value(record.value());
                // COMPLETED is announced from the videos topic, with the video.
                if (Events.isTerminal(e.getStatus()) && e.getStatus() != RequestStatus.COMPLETED) {
                    enqueue(e.getRequestId(), Webhook.REQUEST_ENDED, () -> Webhook.requestEnded(e), from);
                }
            }
        } catch (RuntimeException e) {
            // The stage that owns the topic dead-letters records it cannot read; nothing to tell here.
            log.debug("skipped an unreadable record on {}: {}", from.topic(), e.toString());
        }
    }

    private void register(GenerationRequest r, Record<byte[], byte[]> record) {
        String url = r.getClientMetadata().get(NotifierSettings.WEBHOOK_URL_KEY);
        if (url == null || r.getReplayOf() != null) {
            return;   // a replay is a debugging run: the requester's webhook is not called again
        }
        String refusal = Webhook.refusal(url, options.allowedPrefixes());
        if (refusal != null) {
            RecordMetadata from = context.recordMetadata().orElseThrow();
            deadLetter(r.getRequestId(), from.topic(), from.partition(), from.offset(), record.value(),
                    ErrorType.INVALID_REQUEST, "webhook URL " + url + " refused: " + refusal, 1);
            metrics.outcome("refused_url").increment();
            return;
        }
        hooks.put(r.getRequestId(), new Hook(url, record.timestamp()));
    }

    private void enqueue(String requestId, String kind, java.util.function.Supplier<String> body, RecordMetadata from) {
        Hook hook = hooks.get(requestId);
        if (hook == null || deliveries.get(requestId) != null) {
            return;   // no webhook asked for, or this end is already being delivered
        }
        deliveries.put(requestId, new Delivery(requestId, kind, hook.url(), body.get(), 0, 0, from.topic(),
                from.partition(), from.offset()));
        // Once its end is queued the hook is done: a duplicate VideoReady after a crash finds none.
        hooks.delete(requestId);
    }

    private void tick(long nowMs) {
        for (KeyValue<String, WebhookSender.Attempt> done; (done = finished.poll()) != null; ) {
            inFlight.remove(done.key);
            Delivery d = deliveries.get(done.key);
            if (d != null) {
                settle(d, done.value, nowMs);
            }
        }
        try (KeyValueIterator<String, Delivery> due = deliveries.all()) {
            while (due.hasNext()) {
                Delivery d = due.next().value;
                if (d.nextAttemptAtMs() <= nowMs && inFlight.add(d.requestId())) {
                    sender.send(d, nowMs).thenAccept(a -> finished.add(KeyValue.pair(d.requestId(), a)));
                }
            }
        }
        if (nowMs - lastSweepMs >= SWEEP.toMillis()) {
            lastSweepMs = nowMs;
            List<String> expired = new java.util.ArrayList<>();
            try (KeyValueIterator<String, Hook> all = hooks.all()) {
                while (all.hasNext()) {
                    KeyValue<String, Hook> h = all.next();
                    if (nowMs - h.value.registeredAtMs() > options.hookRetention().toMillis()) {
                        expired.add(h.key);
                    }
                }
            }
            expired.forEach(hooks::delete);
        }
    }

    private void settle(Delivery d, WebhookSender.Attempt attempt, long nowMs) {
        switch (attempt.outcome()) {
            case DELIVERED -> {
                deliveries.delete(d.requestId());
                metrics.outcome("delivered").increment();
                log.info("webhook {} for {} delivered after {} attempt(s)", d.kind(), d.requestId(), d.attempts() + 1);
            }
            case REFUSED -> giveUp(d, "the receiver refused it (" + attempt.detail() + ")", d.attempts() + 1);
            case RETRY -> {
                if (d.attempts() + 1 >= options.maxAttempts()) {
                    giveUp(d, "no attempt of " + options.maxAttempts() + " succeeded; last: " + attempt.detail(),
                            d.attempts() + 1);
                } else {
                    long backoff = Math.min(options.maxBackoff().toMillis(),
                            options.initialBackoff().toMillis() << Math.min(20, d.attempts()));
                    deliveries.put(d.requestId(), d.failedAttempt(nowMs + backoff));
                    metrics.outcome("retried").increment();
                }
            }
        }
    }

    private void giveUp(Delivery d, String why, int attempts) {
        deliveries.delete(d.requestId());
        deadLetter(d.requestId(), d.originTopic(), d.originPartition(), d.originOffset(),
                d.body().getBytes(StandardCharsets.UTF_8), ErrorType.TRANSIENT,
                "webhook " + d.kind() + " to " + d.url() + " given up: " + why, attempts);
        metrics.outcome("abandoned").increment();
        log.warn("webhook {} for {} to {} given up: {}", d.kind(), d.requestId(), d.url(), why);
    }

    /** The dead letter carries the webhook's body as its value, so it can be sent again by hand. */
    private void deadLetter(String requestId, String topic, int partition, long offset, byte[] value, ErrorType type,
                            String message, int attempt) {
        long now = System.currentTimeMillis();
        DeadLetter letter = Events.deadLetter(requestId, topic, partition, offset, requestId.getBytes(StandardCharsets.UTF_8),
                value, STAGE_NAME, type, message, null, now);
        letter.setAttempt(attempt);
        context.forward(new Record<>(requestId, letter, now));
    }
}
