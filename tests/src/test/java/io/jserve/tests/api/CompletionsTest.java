package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code POST /v1/completions} against stories260K, checked against llama.cpp's answers for the same requests. */
class CompletionsTest {
    /** llama-server's greedy continuation of "Once upon a time", 32 tokens (research/llamacpp-transcripts.txt). */
    static final String LLAMA_CPP_32 =
            ", there was a little girl named Lily. She loved to play outside in the park. One day, she saw";

    private final TestServer server = SharedServer.get();

    @Test
    void greedyTextMatchesLlamaCpp() {
        HttpResponse<String> response = server.post("/v1/completions",
                "{\"model\":\"stories260K\",\"prompt\":\"Once upon a time\",\"max_tokens\":32,\"temperature\":0}");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        JsonNode body = json(response);
        assertTrue(body.get("id").asText().matches("cmpl-[A-Za-z0-9]{24}"), body.get("id").asText());
        assertEquals("text_completion", body.get("object").asText());
        assertTrue(Math.abs(body.get("created").asLong() - System.currentTimeMillis() / 1000) < 60);
        assertEquals("stories260K", body.get("model").asText());
        assertEquals(List.of("id", "object", "created", "model", "choices", "usage"), fieldNames(body));
        JsonNode choice = body.get("choices").get(0);
        assertEquals(List.of("index", "text", "logprobs", "finish_reason"), fieldNames(choice));
        assertEquals(0, choice.get("index").asInt());
        assertEquals(LLAMA_CPP_32, choice.get("text").asText());
        assertTrue(choice.get("logprobs").isNull());
        assertEquals("length", choice.get("finish_reason").asText());
        JsonNode usage = body.get("usage");
        assertEquals(5, usage.get("prompt_tokens").asInt());
        assertEquals(32, usage.get("completion_tokens").asInt());
        assertEquals(37, usage.get("total_tokens").asInt());
        assertEquals(0, usage.get("prompt_tokens_details").get("cached_tokens").asInt());
    }

    @Test
    void maxTokensDefaultsTo16() {
        JsonNode body = json(server.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"temperature\":0}"));
        assertEquals(16, body.get("usage").get("completion_tokens").asInt());
        assertTrue(LLAMA_CPP_32.startsWith(body.get("choices").get(0).get("text").asText()));
    }

    @Test
    void stopStringEndsTheTextBeforeIt() {
        JsonNode body = json(server.post("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":64,\"temperature\":0,\"stop\":[\".\"]}"));
        JsonNode choice = body.get("choices").get(0);
        assertEquals(", there was a little girl named Lily", choice.get("text").asText());
        assertEquals("stop", choice.get("finish_reason").asText());
        assertEquals(11, body.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void stopStringSplitAcrossTokensNeverLeaks() throws IOException {
        // " named" and " Lily" are separate tokens; the stop string spans their boundary.
        String request = "{\"prompt\":\"Once upon a time\",\"max_tokens\":64,\"temperature\":0,\"stop\":\"med Li\"";
        JsonNode whole = json(server.post("/v1/completions", request + "}"));
        assertEquals(", there was a little girl na", whole.get("choices").get(0).get("text").asText());
        StringBuilder streamed = new StringBuilder();
        for (String payload : stream(request + ",\"stream\":true}")) {
            if (!payload.equals("[DONE]")) {
                streamed.append(json(payload).get("choices").get(0).get("text").asText());
            }
        }
        assertEquals(", there was a little girl na", streamed.toString());
    }

    @Test
    void promptAsTokenIdsGivesTheSameText() {
        JsonNode ids = json(server.post("/tokenize", "{\"prompt\":\"Once upon a time\"}"));
        assertEquals(5, ids.get("count").asInt());
        JsonNode byText = json(server.post("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":8,\"temperature\":0}"));
        JsonNode byIds = json(server.post("/v1/completions",
                "{\"prompt\":" + ids.get("tokens") + ",\"max_tokens\":8,\"temperature\":0}"));
        assertEquals(byText.get("choices").get(0).get("text"), byIds.get("choices").get(0).get("text"));
    }

    @Test
    void severalPromptsAndChoicesAreIndexedPromptMajor() {
        JsonNode body = json(server.post("/v1/completions",
                "{\"prompt\":[[1, 365],[1, 400, 401]],\"n\":2,\"max_tokens\":4,\"temperature\":0.8,\"seed\":7}"));
        JsonNode choices = body.get("choices");
        assertEquals(4, choices.size());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, choices.get(i).get("index").asInt());
        }
        assertEquals(2 + 3, body.get("usage").get("prompt_tokens").asInt());
        assertEquals(16, body.get("usage").get("completion_tokens").asInt());
        JsonNode again = json(server.post("/v1/completions",
                "{\"prompt\":[[1, 365],[1, 400, 401]],\"n\":2,\"max_tokens\":4,\"temperature\":0.8,\"seed\":7}"));
        assertEquals(choices, again.get("choices"));
    }

    @Test
    void logprobsHaveTheCompletionsShape() {
        JsonNode body = json(server.post("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":3,\"temperature\":0,\"logprobs\":2}"));
        JsonNode logprobs = body.get("choices").get(0).get("logprobs");
        assertEquals(List.of("tokens", "token_logprobs", "top_logprobs", "text_offset"), fieldNames(logprobs));
        assertEquals("[\",\",\" there\",\" was\"]", logprobs.get("tokens").toString());
        assertEquals("[0,1,7]", logprobs.get("text_offset").toString());
        for (int i = 0; i < 3; i++) {
            JsonNode top = logprobs.get("top_logprobs").get(i);
            assertEquals(2, top.size());
            double chosen = logprobs.get("token_logprobs").get(i).asDouble();
            assertTrue(chosen < 0 && chosen > -1, "greedy picks are likely: " + chosen);
            assertEquals(chosen, top.get(logprobs.get("tokens").get(i).asText()).asDouble(), 1e-6);
        }
    }

    @Test
    void streamIsByteExactSseAndMatchesTheWholeAnswer() throws IOException {
        String request = "{\"prompt\":\"Once upon a time\",\"max_tokens\":32,\"temperature\":0";
        List<String> payloads = stream(request + ",\"stream\":true}");
        assertEquals("[DONE]", payloads.getLast());
        List<JsonNode> chunks = payloads.subList(0, payloads.size() - 1).stream().map(TestServer::json).toList();
        StringBuilder text = new StringBuilder();
        String id = chunks.getFirst().get("id").asText();
        long created = chunks.getFirst().get("created").asLong();
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode chunk = chunks.get(i);
            assertEquals(id, chunk.get("id").asText());
            assertEquals(created, chunk.get("created").asLong());
            assertEquals("text_completion", chunk.get("object").asText());
            assertFalse(chunk.has("usage"), "usage only with include_usage");
            JsonNode choice = chunk.get("choices").get(0);
            text.append(choice.get("text").asText());
            assertEquals(i == chunks.size() - 1 ? "length" : null, choice.get("finish_reason").textValue());
        }
        assertEquals(LLAMA_CPP_32, text.toString());
    }

    @Test
    void includeUsageAddsAFinalUsageChunk() throws IOException {
        List<String> payloads = stream("{\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"temperature\":0,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals("[DONE]", payloads.getLast());
        JsonNode usageChunk = json(payloads.get(payloads.size() - 2));
        assertEquals("[]", usageChunk.get("choices").toString());
        assertEquals("{\"prompt_tokens\":5,\"completion_tokens\":4,\"total_tokens\":9,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":0}}", usageChunk.get("usage").toString());
        for (String payload : payloads.subList(0, payloads.size() - 2)) {
            assertTrue(json(payload).get("usage").isNull());
        }
    }

    @Test
    void seededSamplingIsTheSameStreamedOrWhole() throws IOException {
        String request = "{\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"temperature\":1.0,\"top_p\":0.9,"
                + "\"seed\":1234";
        String whole = json(server.post("/v1/completions", request + "}")).get("choices").get(0).get("text").asText();
        StringBuilder streamed = new StringBuilder();
        for (String payload : stream(request + ",\"stream\":true}")) {
            if (!payload.equals("[DONE]")) {
                streamed.append(json(payload).get("choices").get(0).get("text").asText());
            }
        }
        assertEquals(whole, streamed.toString());
        String other = json(server.post("/v1/completions", request.replace("1234", "99") + "}"))
                .get("choices").get(0).get("text").asText();
        assertNotEquals(whole, other);
    }

    private List<String> stream(String body) throws IOException {
        HttpResponse<java.io.InputStream> response = server.postStreaming("/v1/completions", body);
        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream", response.headers().firstValue("content-type").orElseThrow());
        try (var in = response.body()) {
            return SseEvents.parse(in.readAllBytes());
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
