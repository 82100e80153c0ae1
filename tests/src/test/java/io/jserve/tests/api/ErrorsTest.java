package io.jserve.tests.api;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every client mistake gets the OpenAI error object with the right status, type, param and code. */
class ErrorsTest {
    private final TestServer server = SharedServer.get();

    private static void assertError(HttpResponse<String> response, int status, String type, String param, String code) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        JsonNode error = json(response).get("error");
        assertEquals(4, error.size(), response.body());
        assertTrue(error.get("message").isTextual() && !error.get("message").asText().isEmpty());
        assertEquals(type, error.get("type").asText());
        assertEquals(param, error.get("param").textValue());
        assertEquals(code, error.get("code").textValue());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "/v1/completions|{bad json|null",
        "/v1/completions|[]|null",
        "/v1/completions|{\"prompt\":\"x\",\"max_tokens\":\"5\"}|max_tokens",
        "/v1/completions|{\"prompt\":\"x\",\"temperature\":3}|temperature",
        "/v1/completions|{\"prompt\":\"x\",\"n\":-1}|n",
        "/v1/completions|{\"prompt\":\"x\",\"stop\":{}}|stop",
        "/v1/completions|{\"prompt\":[1,99999]}|prompt[1]",
        "/v1/completions|{\"max_tokens\":4}|prompt",
        "/v1/chat/completions|{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]}|messages[0].role",
        "/v1/chat/completions|{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"x\":1}}|logit_bias",
        "/v1/chat/completions|{\"max_tokens\":16}|messages",
        "/tokenize|{}|prompt",
        "/detokenize|{\"tokens\":[1,-5]}|tokens[1]",
    })
    void invalidRequestsAre400NamingTheField(String path, String body, String param) {
        assertError(server.post(path, body), 400, "invalid_request_error", param, null);
    }

    @Test
    void promptPlusMaxTokensBeyondTheContextIs400ContextLengthExceeded() {
        HttpResponse<String> response = server.post("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":2044}");
        assertError(response, 400, "invalid_request_error", "prompt", "context_length_exceeded");
        assertEquals("This model's maximum context length is 2048 tokens. However, you requested 2049 tokens (5 in "
                        + "the prompt, 2044 for the completion). Please reduce the length of the prompt or of max_tokens.",
                json(response).get("error").get("message").asText());
        assertEquals(200, server.post("/v1/completions",
                "{\"prompt\":\"Once upon a time\",\"max_tokens\":1,\"min_tokens\":1}").statusCode());
    }

    @Test
    void aChatPromptLongerThanTheContextIs400() {
        String longText = "Once upon a time ".repeat(600);
        assertError(server.post("/v1/chat/completions",
                        "{\"messages\":[{\"role\":\"user\",\"content\":\"" + longText + "\"}]}"),
                400, "invalid_request_error", "messages", "context_length_exceeded");
    }

    @Test
    void unknownModelIs404() {
        assertError(server.post("/v1/completions", "{\"model\":\"gpt-4o\",\"prompt\":\"x\"}"),
                404, "invalid_request_error", "model", "model_not_found");
        assertError(server.post("/v1/chat/completions",
                        "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"),
                404, "invalid_request_error", "model", "model_not_found");
    }

    @Test
    void unknownRouteIs404AndWrongMethodIs405() {
        assertError(server.get("/v1/embeddings"), 404, "invalid_request_error", null, "not_found");
        assertError(server.post("/", "{}"), 404, "invalid_request_error", null, "not_found");
        HttpResponse<String> wrongMethod = server.get("/v1/completions");
        assertError(wrongMethod, 405, "invalid_request_error", null, "method_not_allowed");
        assertEquals("POST", wrongMethod.headers().firstValue("allow").orElseThrow());
        HttpResponse<String> delete = server.send(HttpRequest.newBuilder(server.uri("/v1/models")).DELETE().build());
        assertError(delete, 405, "invalid_request_error", null, "method_not_allowed");
        assertEquals("GET", delete.headers().firstValue("allow").orElseThrow());
    }

    @Test
    void anEmptyBodyIs400() {
        assertError(server.send(HttpRequest.newBuilder(server.uri("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.noBody()).build()), 400, "invalid_request_error", null, null);
    }
}
