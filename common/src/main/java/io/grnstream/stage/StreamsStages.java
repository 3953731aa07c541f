package io.grnstream.stage;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every Kafka Streams stage does to start, and how it reports its health. */
public final class StreamsStages {
    private static final Logger log = LoggerFactory.getLogger(StreamsStages.class);

    private StreamsStages() {
    }

    /**
     * Starts the application and returns once it is RUNNING. A failed stream thread is replaced
     * (its task's transaction was aborted or its records not committed, so nothing is lost); on a
     * timeout or an interrupt the application is closed and the error names the stage.
     */
    public static void startAndAwaitRunning(KafkaStreams streams, String stage, Duration timeout) {
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
            log.info("{} {} -> {}", stage, before, now);
        });
        streams.setUncaughtExceptionHandler(e -> {
            log.error("{} stream thread failed; replacing it", stage, e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.start();
        try {
            if (!running.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                streams.close(Duration.ofSeconds(30));
                throw new IllegalStateException(stage + " did not reach RUNNING within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            streams.close(Duration.ofSeconds(30));
            throw new IllegalStateException("interrupted while starting " + stage, e);
        }
    }

    /** False once the application has failed for good. */
    public static boolean isLive(KafkaStreams streams) {
        return streams == null
                || (streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.PENDING_ERROR);
    }
}
