package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A repeated long prompt is served from the prefix cache, reported as {@code cached_tokens}, same output. */
class PrefixCacheTest {
    private final TestServer server = SharedServer.get();

    @Test
    void aRepeatedPromptReportsCachedTokens() {
        String prompt = "Lily and Tom went to the park. They saw a big tree and a little bird. ".repeat(4);
        String request = "{\"prompt\":\"" + prompt + "\",\"max_tokens\":8,\"temperature\":0}";
        JsonNode first = json(server.post("/v1/completions", request));
        JsonNode second = json(server.post("/v1/completions", request));
        int promptTokens = first.get("usage").get("prompt_tokens").asInt();
        assertTrue(promptTokens > 64, "prompt long enough for several blocks: " + promptTokens);
        int cached = second.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt();
        assertTrue(cached > 0 && cached < promptTokens && cached % 16 == 0, "cached " + cached + " of " + promptTokens);
        assertEquals(promptTokens, second.get("usage").get("prompt_tokens").asInt());
        assertEquals(first.get("choices").get(0).get("text"), second.get("choices").get(0).get("text"));
    }
}
