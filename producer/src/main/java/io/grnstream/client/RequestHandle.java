package io.grnstream.client;

import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.VideoReady;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A submitted request: its id, a future that completes with its VideoReady (or fails with
 * {@link RequestFailedException}), and its events as they happen.
 */
public final class RequestHandle {
    private final String requestId;
    private final CompletableFuture<VideoReady> video = new CompletableFuture<>();
    private volatile Consumer<RequestEvent> listener = e -> { };

    RequestHandle(String requestId) {
        this.requestId = requestId;
    }

    public String requestId() {
        return requestId;
    }

    public CompletableFuture<VideoReady> video() {
        return video;
    }

    /** Receives every later event of this request (on the client's tracking thread; keep it quick). */
    public RequestHandle onEvent(Consumer<RequestEvent> listener) {
        this.listener = listener;
        return this;
    }

    void event(RequestEvent event) {
        listener.accept(event);
        switch (event.getStatus()) {
            case FAILED, CANCELLED, TIMED_OUT -> video.completeExceptionally(
                    new RequestFailedException(requestId, event.getStatus(), event.getError()));
            default -> { }
        }
    }

    void ready(VideoReady ready) {
        video.complete(ready);
    }
}
