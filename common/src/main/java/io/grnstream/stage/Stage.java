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
     * False once the stage has failed for good (its consuming loop died); the liveness endpoint
     * reports it and {@code grn stage} exits so that the orchestrator restarts the process.
     */
    default boolean isLive() {
        return true;
    }

    /**
     * Stops taking new work but finishes what is in flight (a Kubernetes preStop calls it through
     * {@code POST /drain} before SIGTERM). A drained stage reports not ready.
     */
    default void drain() {
    }

    @Override
    void close();
}
