package io.grnstream.stage;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigDefinition;
import io.grnstream.config.ConfigException;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.ops.OpsServer;
import io.grnstream.registry.SchemaRegistries;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every stage's {@code main} does: resolve configuration (exit 2 naming the key on a bad
 * setting), create missing topics, serve /metrics and /health, start the stage, and stop it
 * gracefully on SIGTERM.
 */
public final class StageRunner {
    private static final Logger log = LoggerFactory.getLogger(StageRunner.class);

    private StageRunner() {
    }

    /** Stack of the thread that starts a stage: model stages call native code that recurses deeply. */
    private static final long STAGE_STACK_BYTES = 64L * 1024 * 1024;

    public static void run(String name, ConfigDefinition definition, String[] args,
                           BiFunction<GrnConfig, MeterRegistry, Stage> factory) throws InterruptedException {
        InterruptedException[] interrupted = new InterruptedException[1];
        Thread runner = new Thread(null, () -> {
            try {
                runHere(name, definition, args, factory);
            } catch (InterruptedException e) {
                interrupted[0] = e;
            }
        }, name + "-main", STAGE_STACK_BYTES);
        runner.start();
        runner.join();
        if (interrupted[0] != null) {
            throw interrupted[0];
        }
    }

    private static void runHere(String name, ConfigDefinition definition, String[] args,
                                BiFunction<GrnConfig, MeterRegistry, Stage> factory) throws InterruptedException {
        GrnConfig config;
        try {
            config = ConfigLoader.load(definition, args, System.getenv());
        } catch (ConfigException e) {
            System.err.println(name + ": " + e.getMessage());
            System.exit(2);
            return;
        }
        if (config.get(CommonSettings.TOPIC_PROVISION)) {
            try (Admin admin = KafkaClients.admin(config)) {
                TopicProvisioner.ensureTopics(admin, new TopicRegistry(config, SchemaRegistries.fromConfig(config)),
                        config, Duration.ofSeconds(60));
            }
        }
        int port = config.get(CommonSettings.OPS_HTTP_PORT);
        OpsServer ops = port >= 0 ? new OpsServer(port, OpsServer.newRegistry()) : null;
        Stage stage = factory.apply(config, ops != null ? ops.registry() : OpsServer.newRegistry());
        if (ops != null) {
            ops.register(stage);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stage.close();
            if (ops != null) {
                ops.close();
            }
            stopped.countDown();
        }, name + "-shutdown"));
        stage.start();
        // Crash-only: a stage whose consuming loop died is restarted by its orchestrator, so exit.
        while (!stopped.await(1, TimeUnit.SECONDS)) {
            if (!stage.isLive()) {
                log.error("{} failed and cannot recover; exiting so that it is restarted", name);
                System.exit(70);
            }
        }
    }
}
