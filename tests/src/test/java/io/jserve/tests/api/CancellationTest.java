package io.jserve.tests.api;

import io.jserve.engine.EngineStats;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import static io.jserve.tests.api.InfoEndpointsTest.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that goes away, streaming or not, aborts its request: the engine stops generating for it, the running
 * count returns to 0 and every KV block goes back to the pool.
 */
class CancellationTest {
    /** Far more tokens than are generated before the abort lands, so a missed abort is obvious. */
    private static final int MAX_TOKENS = 2000;
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String body(boolean stream) {
        return "{\"prompt\":\"Once upon a time\",\"max_tokens\":" + MAX_TOKENS + ",\"ignore_eos\":true,"
                + "\"temperature\":0,\"stream\":" + stream + "}";
    }

    private static void assertAllFreed(EngineStats before) throws InterruptedException {
        EngineStats after = server.awaitStats(s -> s.numRunning() == 0 && s.freeBlocks() == s.totalBlocks());
        assertEquals(0, after.numRunning());
        assertEquals(0, after.numWaiting());
        assertEquals(after.totalBlocks(), after.freeBlocks(), "every KV block back in the pool");
        long generated = after.generationTokens() - before.generationTokens();
        assertTrue(generated < MAX_TOKENS, "aborted early, generated " + generated);
        String metrics = server.get("/metrics").body();
        assertEquals(0.0, value(metrics, "jserve:num_requests_running"));
        assertEquals(0.0, value(metrics, "jserve:kv_cache_usage_perc"));
    }

    @Test
    void disconnectMidStreamAbortsTheRequest() throws Exception {
        EngineStats before = server.stats();
        HttpResponse<InputStream> response = server.postStreaming("/v1/completions", body(true));
        SseEvents events = new SseEvents(response.body());
        for (int i = 0; i < 3; i++) {
            events.next();
        }
        assertEquals(1, server.stats().numRunning());
        response.body().close();
        assertAllFreed(before);
    }

    @Test
    void aNonStreamClientThatGoesAwayAbortsItsRequest() throws Exception {
        EngineStats before = server.stats();
        byte[] json = body(false).getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", server.server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(json);
            out.flush();
            server.awaitStats(s -> s.numRunning() == 1 && s.generationTokens() > before.generationTokens());
        }
        assertAllFreed(before);
    }
}
