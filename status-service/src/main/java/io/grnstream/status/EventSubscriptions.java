package io.grnstream.status;

import io.grnstream.avro.RequestEvent;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Who is following which request: the view's stream thread hands every new event to the
 * subscriptions of its request, and each event stream drains its own queue.
 */
final class EventSubscriptions {
    private final Map<String, Set<Subscription>> byRequest = new ConcurrentHashMap<>();

    /** A queue of the request's events from now on; close it when the stream ends. */
    final class Subscription implements AutoCloseable {
        final String requestId;
        final BlockingQueue<RequestEvent> events = new LinkedBlockingQueue<>();

        private Subscription(String requestId) {
            this.requestId = requestId;
        }

        @Override
        public void close() {
            byRequest.computeIfPresent(requestId, (id, subs) -> {
                subs.remove(this);
                return subs.isEmpty() ? null : subs;
            });
        }
    }

    Subscription subscribe(String requestId) {
        Subscription s = new Subscription(requestId);
        byRequest.compute(requestId, (id, subs) -> {
            Set<Subscription> set = subs != null ? subs : ConcurrentHashMap.newKeySet();
            set.add(s);
            return set;
        });
        return s;
    }

    /** Called on the stream thread for every event the view takes in. */
    void publish(String requestId, RequestEvent event) {
        Set<Subscription> subs = byRequest.get(requestId);
        if (subs != null && event != null) {
            subs.forEach(s -> s.events.add(event));
        }
    }
}
