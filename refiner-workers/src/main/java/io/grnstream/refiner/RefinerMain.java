package io.grnstream.refiner;

import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigException;
import io.grnstream.config.ConfigLoader;
import io.grnstream.config.GrnConfig;
import io.grnstream.kafka.KafkaClients;
import io.grnstream.kafka.TopicProvisioner;
import io.grnstream.kafka.TopicRegistry;
import io.grnstream.ops.OpsServer;
import io.grnstream.registry.SchemaRegistries;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;

/** Runs one refiner worker until SIGTERM, then drains it. */
public final class RefinerMain {
    private RefinerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        GrnConfig config;
        try {
            config = ConfigLoader.load(RefinerSettings.definition(), args, System.getenv());
        } catch (ConfigException e) {
            System.err.println("refiner-workers: " + e.getMessage());
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
        RefinerWorker worker = new RefinerWorker(config, ops != null ? ops.registry() : OpsServer.newRegistry());
        if (ops != null) {
            ops.register(worker);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            if (ops != null) {
                ops.close();
            }
            stopped.countDown();
        }, "refiner-shutdown"));
        worker.start();
        stopped.await();
    }
}
