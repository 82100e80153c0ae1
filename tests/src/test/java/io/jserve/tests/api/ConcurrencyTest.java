package io.jserve.tests.api;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** 16 streams at once, batched together by the engine, give exactly the text of the same requests one by one. */
class ConcurrencyTest {
    private static final int STREAMS = 16;
    private static final String[] NAMES = {"Tom", "Lily", "Sue", "Ben", "Max", "Anna", "Sam", "Mia"};

    private final TestServer server = SharedServer.get();

    private static String request(int i, boolean stream) {
        return "{\"prompt\":\"Once upon a time, " + NAMES[i % NAMES.length] + (i < NAMES.length ? " had" : " saw")
                + "\",\"max_tokens\":32,\"temperature\":0,\"stream\":" + stream + "}";
    }

    private String streamedText(int i) throws Exception {
        HttpResponse<InputStream> response = server.postStreaming("/v1/completions", request(i, true));
        StringBuilder text = new StringBuilder();
        try (InputStream in = response.body()) {
            for (String payload : SseEvents.parse(in.readAllBytes())) {
                if (!payload.equals("[DONE]")) {
                    text.append(json(payload).get("choices").get(0).get("text").asText());
                }
            }
        }
        return text.toString();
    }

    @Test
    void concurrentStreamsMatchSequentialRequests() throws Exception {
        List<String> sequential = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            sequential.add(json(server.post("/v1/completions", request(i, false))).get("choices").get(0).get("text").asText());
        }
        List<Future<String>> concurrent = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < STREAMS; i++) {
                int index = i;
                concurrent.add(pool.submit(() -> streamedText(index)));
            }
            for (int i = 0; i < STREAMS; i++) {
                assertEquals(sequential.get(i), concurrent.get(i).get(), "stream " + i);
            }
        }
        assertEquals(STREAMS, sequential.stream().filter(t -> !t.isEmpty()).count());
    }
}
