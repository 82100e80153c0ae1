package io.jserve.tests.api;

import io.jserve.api.server.ServerConfig;
import io.jserve.engine.EngineConfig;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A bounded waiting queue: past {@code --max-num-queued-requests} the answer is 429 at once, with Retry-After. */
class OverloadTest {
    private static final String LONG = "{\"prompt\":\"Once upon a time\",\"max_tokens\":2000,\"ignore_eos\":true,"
            + "\"temperature\":0,\"stream\":true}";

    @Test
    void aFullQueueIs429() throws Exception {
        EngineConfig oneSlotOneWaiting = new EngineConfig(TestServer.STORIES, "cpu", 1, 256, 16, TestServer.KV_BLOCKS, 0,
                0, 1, true, null, 0.9);
        try (TestServer server = TestServer.start(ServerConfig.forTests(), oneSlotOneWaiting)) {
            HttpResponse<InputStream> running = server.postStreaming("/v1/completions", LONG);
            new SseEvents(running.body()).next();
            server.awaitStats(s -> s.numRunning() == 1);
            CompletableFuture<HttpResponse<InputStream>> waiting = server.client.sendAsync(
                    HttpRequest.newBuilder(server.uri("/v1/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(LONG)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(1, server.awaitStats(s -> s.numWaiting() == 1).numWaiting());

            long start = System.nanoTime();
            HttpResponse<String> refused = server.post("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}");
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(429, refused.statusCode(), refused.body());
            assertEquals("1", refused.headers().firstValue("retry-after").orElseThrow());
            assertEquals("queue_full", json(refused).get("error").get("code").asText());
            assertEquals("rate_limit_error", json(refused).get("error").get("type").asText());
            assertEquals(true, millis < 1000, "answered at once, not queued: " + millis + " ms");

            running.body().close();
            HttpResponse<InputStream> second = waiting.get();
            assertEquals(200, second.statusCode());
            second.body().close();
            assertEquals(0, server.awaitStats(s -> s.numRunning() == 0 && s.numWaiting() == 0).numRunning());
        }
    }
}
