package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jserve.api.server.OpenAiServer;
import io.jserve.api.server.ServerConfig;
import io.jserve.engine.EngineConfig;
import io.jserve.engine.EngineStats;
import io.jserve.tests.SharedModels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * A real server on a free port serving stories260K, and a real HTTP client (java.net.http) to talk to it.
 * The KV pool is kept small (256 blocks of 16 tokens) so that tests run in little memory.
 */
final class TestServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path STORIES = SharedModels.file("stories260K.gguf");
    static final int KV_BLOCKS = 256;

    final OpenAiServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(OpenAiServer server) {
        this.server = server;
    }

    /** The engine configuration tests use: stories260K on the CPU with a small pool. */
    static EngineConfig engineConfig() {
        return EngineConfig.defaults(STORIES).withBackend("cpu").withNumKvBlocks(KV_BLOCKS).withMaxNumSeqs(32);
    }

    /** Starts a server and loads the model. */
    static TestServer start(ServerConfig config, EngineConfig engine) {
        OpenAiServer server = OpenAiServer.start(config);
        server.load(engine);
        return new TestServer(server);
    }

    static TestServer start() {
        return start(ServerConfig.forTests(), engineConfig());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs and returns the raw response body stream, for reading SSE as it arrives. */
    HttpResponse<InputStream> postStreaming(String path, String body) {
        try {
            return client.send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return json(response.body());
    }

    EngineStats stats() {
        return server.state().stats().orElseThrow();
    }

    /** Waits up to 10 s for the engine's counters to satisfy {@code condition}; returns the last counters. */
    EngineStats awaitStats(Predicate<EngineStats> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        EngineStats stats = stats();
        while (!condition.test(stats) && System.nanoTime() < deadline) {
            Thread.sleep(5);
            stats = stats();
        }
        return stats;
    }

    @Override
    public void close() {
        server.shutdown(Duration.ZERO);
    }
}
