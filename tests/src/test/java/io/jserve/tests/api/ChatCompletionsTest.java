package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;

import static io.jserve.tests.api.CompletionsTest.fieldNames;
import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /v1/chat/completions}. stories260K has no chat template, so the ChatML fallback renders the prompt,
 * as llama.cpp's does: the same 46 prompt tokens and the same greedy answer as llama-server.
 */
class ChatCompletionsTest {
    /** llama-server's greedy chat answer to "Once upon a time", 16 tokens (research/llamacpp-transcripts.txt). */
    static final String LLAMA_CPP_CHAT_16 = "\"Here?\" Asked Jack.\n";
    static final String REQUEST = "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],"
            + "\"max_tokens\":16,\"temperature\":0";

    private final TestServer server = SharedServer.get();

    @Test
    void wholeAnswerMatchesLlamaCpp() {
        HttpResponse<String> response = server.post("/v1/chat/completions", REQUEST + "}");
        assertEquals(200, response.statusCode());
        JsonNode body = json(response);
        assertTrue(body.get("id").asText().matches("chatcmpl-[A-Za-z0-9]{24}"));
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals(List.of("id", "object", "created", "model", "choices", "usage"), fieldNames(body));
        JsonNode choice = body.get("choices").get(0);
        assertEquals(List.of("index", "message", "logprobs", "finish_reason"), fieldNames(choice));
        assertEquals("{\"role\":\"assistant\",\"content\":" + TestServer.JSON.valueToTree(LLAMA_CPP_CHAT_16) + "}",
                choice.get("message").toString());
        assertEquals("length", choice.get("finish_reason").asText());
        assertEquals(46, body.get("usage").get("prompt_tokens").asInt());
        assertEquals(16, body.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void contentPartsRenderLikeAString() {
        String parts = "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Once upon \"},"
                + "{\"type\":\"text\",\"text\":\"a time\"}]}],\"max_tokens\":16,\"temperature\":0}";
        assertEquals(LLAMA_CPP_CHAT_16,
                json(server.post("/v1/chat/completions", parts)).get("choices").get(0).get("message").get("content").asText());
    }

    @Test
    void maxTokensDefaultsToTheRestOfTheContext() {
        JsonNode body = json(server.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"temperature\":0,\"stop\":\"Jack\"}"));
        assertEquals("\"Here?\" Asked ", body.get("choices").get(0).get("message").get("content").asText());
        assertEquals("stop", body.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void streamStartsWithTheRoleAndEndsWithFinishThenDone() throws IOException {
        List<String> payloads = stream(REQUEST + ",\"stream\":true}");
        assertEquals("[DONE]", payloads.getLast());
        List<JsonNode> chunks = payloads.subList(0, payloads.size() - 1).stream().map(TestServer::json).toList();
        JsonNode first = chunks.getFirst();
        assertEquals("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                + "\"finish_reason\":null}", first.get("choices").get(0).toString());
        JsonNode last = chunks.getLast();
        assertEquals("{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"length\"}",
                last.get("choices").get(0).toString());
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            assertEquals(first.get("id"), chunk.get("id"));
            assertEquals(first.get("created"), chunk.get("created"));
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            assertFalse(chunk.has("usage"));
            JsonNode delta = chunk.get("choices").get(0).get("delta");
            if (delta.has("content")) {
                text.append(delta.get("content").asText());
            }
        }
        assertEquals(LLAMA_CPP_CHAT_16, text.toString());
        assertEquals(1, chunks.stream().filter(c -> !c.get("choices").get(0).get("finish_reason").isNull()).count());
    }

    @Test
    void includeUsageAddsTheUsageChunkLast() throws IOException {
        List<String> payloads = stream(REQUEST + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        JsonNode usage = json(payloads.get(payloads.size() - 2));
        assertEquals("[]", usage.get("choices").toString());
        assertEquals(46, usage.get("usage").get("prompt_tokens").asInt());
        assertEquals(16, usage.get("usage").get("completion_tokens").asInt());
        assertEquals(62, usage.get("usage").get("total_tokens").asInt());
    }

    @Test
    void logprobsHaveTheChatShape() {
        JsonNode body = json(server.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}],\"max_tokens\":2,"
                        + "\"temperature\":0,\"logprobs\":true,\"top_logprobs\":2}"));
        JsonNode content = body.get("choices").get(0).get("logprobs").get("content");
        assertEquals(2, content.size());
        JsonNode first = content.get(0);
        assertEquals(List.of("token", "logprob", "bytes", "top_logprobs"), fieldNames(first));
        assertEquals("\"", first.get("token").asText());
        assertEquals("[34]", first.get("bytes").toString());
        assertEquals(2, first.get("top_logprobs").size());
        assertEquals(first.get("token"), first.get("top_logprobs").get(0).get("token"));
        assertEquals(first.get("logprob").asDouble(), first.get("top_logprobs").get(0).get("logprob").asDouble(), 1e-6);
    }

    @Test
    void streamAndWholeAgreeWithSeveralChoices() throws IOException {
        String request = "{\"messages\":[{\"role\":\"system\",\"content\":\"Tell a story.\"},{\"role\":\"user\","
                + "\"content\":\"Tom had a dog.\"}],\"max_tokens\":12,\"temperature\":0.9,\"seed\":5,\"n\":3";
        JsonNode whole = json(server.post("/v1/chat/completions", request + "}"));
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        for (String payload : stream(request + ",\"stream\":true}")) {
            if (payload.equals("[DONE]")) {
                continue;
            }
            JsonNode choice = json(payload).get("choices").get(0);
            JsonNode content = choice.get("delta").get("content");
            if (content != null) {
                streamed[choice.get("index").asInt()].append(content.asText());
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(whole.get("choices").get(i).get("message").get("content").asText(), streamed[i].toString());
        }
    }

    private List<String> stream(String body) throws IOException {
        HttpResponse<InputStream> response = server.postStreaming("/v1/chat/completions", body);
        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            return SseEvents.parse(in.readAllBytes());
        }
    }
}
