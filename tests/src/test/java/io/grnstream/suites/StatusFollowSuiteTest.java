package io.grnstream.suites;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grnstream.avro.FixedSteps;
import io.grnstream.avro.GenerationRequest;
import io.grnstream.avro.RequestEvent;
import io.grnstream.avro.RequestStatus;
import io.grnstream.avro.Stage;
import io.grnstream.avro.VideoReady;
import io.grnstream.cli.LocalPipeline;
import io.grnstream.client.GrnClient;
import io.grnstream.config.CommonSettings;
import io.grnstream.config.ConfigLoader;
import io.grnstream.kafka.RequestEventJson;
import io.grnstream.notifier.NotifierService;
import io.grnstream.notifier.NotifierSettings;
import io.grnstream.status.StatusService;
import io.grnstream.status.StatusSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real request through every stage, followed over plain HTTP from before it is submitted to its
 * video, and announced to its webhook when the video is ready.
 */
class StatusFollowSuiteTest {
    @TempDir
    Path work;

    @Test
    @Timeout(300)
    void aRequestIsFollowedAsServerSentEventsFromQueuedToCompletedAndAnnouncedToItsWebhook() throws Exception {
        try (LocalPipeline local = LocalPipeline.start(work.resolve("pipeline"), ProcessCluster.MODEL, null);
             GrnClient client = new GrnClient(local.clientConfig())) {
            StatusService status = new StatusService(ConfigLoader.fromMap(StatusSettings.definition(), Map.of(
                    "bootstrap.servers", local.bootstrapServers(),
                    "schema.registry.url", local.clientConfig().get(CommonSettings.SCHEMA_REGISTRY_URL),
                    "ops.http.port", "-1",
                    "status.http.port", "0",
                    "status.advertised.url", "",
                    "status.state.dir", work.resolve("status").toString())), new SimpleMeterRegistry());
            NotifierService notifier = new NotifierService(ConfigLoader.fromMap(NotifierSettings.definition(), Map.of(
                    "bootstrap.servers", local.bootstrapServers(),
                    "schema.registry.url", local.clientConfig().get(CommonSettings.SCHEMA_REGISTRY_URL),
                    "ops.http.port", "-1",
                    "notifier.start.from", "earliest",
                    "notifier.state.dir", work.resolve("notifier").toString())), new SimpleMeterRegistry());
            HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            BlockingQueue<String> webhooks = new LinkedBlockingQueue<>();
            receiver.createContext("/hook", ex -> {
                webhooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            receiver.start();
            try (status; notifier) {
                status.start();
                notifier.start();
                // Followed before it exists: the stream waits briefly for an id that is about to appear.
                CompletableFuture<HttpResponse<Stream<String>>> stream = HttpClient.newHttpClient().sendAsync(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + status.port() + StatusService.PATH
                                + "followed-end-to-end/events")).build(), HttpResponse.BodyHandlers.ofLines());
                Thread.sleep(200);
                VideoReady video = client.submit(GenerationRequest.newBuilder().setRequestId("followed-end-to-end")
                                .setPrompt("a magenta triangle moving left on a gray background").setSeed(11)
                                .setStepPolicy(new FixedSteps(12))
                                .setClientMetadata(Map.of("grn.webhook.url",
                                        "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook")).build())
                        .video().get(3, TimeUnit.MINUTES);

                HttpResponse<Stream<String>> response = stream.get(1, TimeUnit.MINUTES);
                assertEquals(200, response.statusCode());
                List<RequestEvent> seen = new ArrayList<>();
                response.body().filter(l -> l.startsWith("data: "))
                        .forEach(l -> seen.add(RequestEventJson.parse(l.substring("data: ".length()))));
                List<String> trace = seen.stream().map(e -> e.getStatus() + "/" + e.getStage() + "/" + e.getStep()).toList();
                assertEquals(RequestStatus.QUEUED, seen.get(0).getStatus(), trace.toString());
                assertEquals(RequestStatus.COMPLETED, seen.get(seen.size() - 1).getStatus(), trace.toString());
                assertTrue(seen.stream().anyMatch(e -> e.getStage() == Stage.REFINING), trace.toString());
                assertTrue(seen.stream().anyMatch(e -> e.getStage() == Stage.DECODING), trace.toString());
                // Decoding starts once refinement is over; the assembler starts on the first decoded
                // chunk, so ASSEMBLING and DECODING events interleave (the stages stream).
                List<Stage> stages = seen.stream().map(RequestEvent::getStage).toList();
                assertTrue(stages.lastIndexOf(Stage.REFINING) < stages.indexOf(Stage.DECODING), trace.toString());
                List<Integer> chunks = seen.stream().filter(e -> e.getStage() == Stage.DECODING).map(RequestEvent::getStep).toList();
                for (int i = 1; i < chunks.size(); i++) {
                    assertTrue(chunks.get(i) > chunks.get(i - 1), "decoded chunks in order: " + trace);
                }
                assertEquals(client.latestEvent(video.getRequestId()).orElseThrow(), seen.get(seen.size() - 1));
                System.out.println("followed over HTTP: " + trace);

                String webhook = webhooks.poll(1, TimeUnit.MINUTES);
                assertTrue(webhook != null, "the webhook was called");
                assertTrue(webhook.contains("\"type\":\"video.ready\"") && webhook.contains(video.getSha256())
                        && webhook.contains(video.getUri()), webhook);
            } finally {
                receiver.stop(0);
            }
        }
    }
}
