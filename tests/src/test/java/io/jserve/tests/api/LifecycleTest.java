package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.jserve.api.server.OpenAiServer;
import io.jserve.api.server.ServerConfig;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /health} through the server's life (loading, ready, draining) and graceful shutdown. */
class LifecycleTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(OpenAiServer server, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(OpenAiServer server, String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIs503WhileLoadingThen200() throws Exception {
        OpenAiServer server = OpenAiServer.start(ServerConfig.forTests());
        try {
            HttpResponse<String> loading = get(server, "/health");
            assertEquals(503, loading.statusCode());
            assertEquals("service_unavailable", json(loading).get("error").get("type").asText());
            HttpResponse<String> early = post(server, "/v1/completions", "{\"prompt\":\"x\"}");
            assertEquals(503, early.statusCode());
            assertEquals("1", early.headers().firstValue("retry-after").orElseThrow());
            server.load(TestServer.engineConfig());
            assertEquals(200, get(server, "/health").statusCode());
        } finally {
            server.shutdown(Duration.ZERO);
        }
    }

    @Test
    void drainingRefusesNewWorkAndLetsInFlightRequestsFinish() throws Exception {
        OpenAiServer server = OpenAiServer.start(ServerConfig.forTests());
        server.load(TestServer.engineConfig());
        HttpResponse<InputStream> inFlight = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once upon a time\",\"max_tokens\":300,"
                        + "\"ignore_eos\":true,\"temperature\":0,\"stream\":true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        SseEvents events = new SseEvents(inFlight.body());
        events.next();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(() -> server.shutdown(Duration.ofSeconds(30)));
        while (server.state().phase() != io.jserve.api.server.ServingState.Phase.DRAINING) {
            Thread.sleep(1);
        }
        assertEquals(503, get(server, "/health").statusCode());
        assertEquals(503, post(server, "/v1/completions", "{\"prompt\":\"x\"}").statusCode());
        String payload;
        String last = null;
        String finish = null;
        while ((payload = events.next()) != null) {
            if (!payload.equals("[DONE]")) {
                JsonNode choice = json(payload).get("choices").get(0);
                if (!choice.get("finish_reason").isNull()) {
                    finish = choice.get("finish_reason").asText();
                }
            }
            last = payload;
        }
        assertEquals("[DONE]", last);
        assertEquals("length", finish, "the in-flight request ran to its end");
        shutdown.get();
    }

    @Test
    void afterTheGracePeriodLeftoversAreAborted() throws Exception {
        OpenAiServer server = OpenAiServer.start(ServerConfig.forTests());
        server.load(TestServer.engineConfig());
        HttpResponse<InputStream> inFlight = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once upon a time\",\"max_tokens\":2000,"
                        + "\"ignore_eos\":true,\"temperature\":0,\"stream\":true}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        SseEvents events = new SseEvents(inFlight.body());
        events.next();
        long start = System.nanoTime();
        server.shutdown(Duration.ofMillis(100));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos());
        List<String> rest = new java.util.ArrayList<>();
        try {
            String payload;
            while ((payload = events.next()) != null) {
                rest.add(payload);
            }
        } catch (java.io.IOException | AssertionError cutOff) {
            // The listener may close the connection before the last bytes; what arrived is checked below.
        }
        assertTrue(rest.stream().noneMatch(p -> p.contains("\"finish_reason\":\"length\"")), "not run to the end");
    }
}
