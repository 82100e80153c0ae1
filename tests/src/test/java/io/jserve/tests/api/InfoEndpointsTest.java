package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /v1/models}, {@code /health}, {@code /metrics}, {@code /tokenize}, {@code /detokenize}. */
class InfoEndpointsTest {
    private final TestServer server = SharedServer.get();

    @Test
    void modelsListsTheServedModel() {
        JsonNode body = json(server.get("/v1/models"));
        assertEquals("list", body.get("object").asText());
        JsonNode model = body.get("data").get(0);
        assertEquals("stories260K", model.get("id").asText());
        assertEquals("model", model.get("object").asText());
        assertEquals("jserve", model.get("owned_by").asText());
        assertEquals(2048, model.get("max_model_len").asInt());
    }

    @Test
    void healthIsOkWhenReady() {
        var response = server.get("/health");
        assertEquals(200, response.statusCode());
        assertEquals("{\"status\":\"ok\"}", response.body());
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        JsonNode tokens = json(server.post("/tokenize", "{\"prompt\":\"Once upon a time\"}"));
        assertEquals(5, tokens.get("count").asInt());
        assertEquals(2048, tokens.get("max_model_len").asInt());
        assertEquals(1, tokens.get("tokens").get(0).asInt(), "BOS first");
        JsonNode text = json(server.post("/detokenize", "{\"tokens\":" + tokens.get("tokens") + "}"));
        assertEquals("Once upon a time", text.get("prompt").asText());
        JsonNode noSpecial = json(server.post("/tokenize", "{\"prompt\":\"Once upon a time\",\"add_special_tokens\":false}"));
        assertEquals(4, noSpecial.get("count").asInt());
        JsonNode chat = json(server.post("/tokenize",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Once upon a time\"}]}"));
        assertEquals(46, chat.get("count").asInt());
    }

    @Test
    void metricsUseVllmNamesWithTheJservePrefix() {
        server.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":3,\"temperature\":0}");
        var response = server.get("/metrics");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
        String text = response.body();
        for (String name : new String[]{"jserve:num_requests_running ", "jserve:num_requests_waiting ",
            "jserve:kv_cache_usage_perc ", "jserve:prefix_cache_queries_total ", "jserve:prefix_cache_hits_total ",
            "jserve:num_preemptions_total ", "jserve:prompt_tokens_total ", "jserve:generation_tokens_total ",
            "jserve:time_to_first_token_seconds_bucket{le=\"0.001\"}", "jserve:inter_token_latency_seconds_count ",
            "jserve:e2e_request_latency_seconds_sum ", "jserve:request_queue_time_seconds_count ",
            "jserve:request_success_total{finished_reason=\"length\"}",
            "jserve:http_requests_total{route=\"/v1/completions\",status=\"200\"}"}) {
            assertTrue(text.contains("\n" + name), "missing " + name);
        }
        assertTrue(value(text, "jserve:generation_tokens_total") >= 3, text);
        assertTrue(value(text, "jserve:request_queue_time_seconds_count") >= 1, text);
        assertEquals(0.0, value(text, "jserve:num_requests_running"));
    }

    static double value(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.split(" ")[1]))
                .findFirst().orElseThrow(() -> new AssertionError("no metric " + name));
    }
}
