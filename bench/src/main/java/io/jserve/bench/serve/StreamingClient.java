package io.jserve.bench.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sends one streaming {@code /v1/completions} request and times it as vLLM's benchmark client does: TTFT at the
 * first chunk with choices, one ITL sample per later chunk, token counts from the closing usage chunk.
 */
final class StreamingClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI endpoint;
    private final Optional<String> apiKey;

    StreamingClient(URI endpoint, Optional<String> apiKey) {
        this.endpoint = endpoint;
        this.apiKey = apiKey;
    }

    /** Runs one request; never throws: failures come back as a failed result. */
    RequestResult send(String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        long start = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    return RequestResult.failed("HTTP " + response.statusCode() + ": "
                            + new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                return read(in, start);
            }
        } catch (IOException e) {
            return RequestResult.failed(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RequestResult.failed("interrupted");
        }
    }

    private static RequestResult read(InputStream in, long start) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        long ttft = 0;
        long last = start;
        List<Long> itl = new ArrayList<>();
        int promptTokens = 0;
        int outputTokens = 0;
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isEmpty()) {
                continue;
            }
            if (!line.startsWith("data: ")) {
                return RequestResult.failed("not an SSE data line: " + line);
            }
            String payload = line.substring("data: ".length());
            long now = System.nanoTime();
            if (payload.equals("[DONE]")) {
                return new RequestResult(true, promptTokens, outputTokens, ttft, itl, now - start, "");
            }
            JsonNode chunk = JSON.readTree(payload);
            if (chunk.has("error")) {
                return RequestResult.failed(chunk.get("error").toString());
            }
            if (chunk.path("choices").size() > 0) {
                if (ttft == 0) {
                    ttft = now - start;
                } else {
                    itl.add(now - last);
                }
                last = now;
            } else if (chunk.hasNonNull("usage")) {
                promptTokens = chunk.get("usage").path("prompt_tokens").asInt();
                outputTokens = chunk.get("usage").path("completion_tokens").asInt();
            }
        }
        return RequestResult.failed("the stream ended without [DONE]");
    }
}
