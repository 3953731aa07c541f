package io.grnstream.stage;

/**
 * A pipeline service with a two-method life. {@link #start()} returns once the stage is really
 * running (or throws); {@link #close()} stops it gracefully: in-flight work is finished or left
 * uncommitted for another instance, never half-published. The local runner and the tests start the
 * same stages production runs.
 */
public interface Stage extends AutoCloseable {

    /** Name used in metrics, events and provenance, e.g. {@code assembler}. */
    String name();

    void start();

    /** True while the stage can do work; what the readiness endpoint reports. */
    boolean isReady();

    /**
     * Stops taking new work but finishes what is in flight (a Kubernetes preStop calls it through
     * {@code POST /drain} before SIGTERM). A drained stage reports not ready.
     */
    default void drain() {
    }

    @Override
    void close();
}
