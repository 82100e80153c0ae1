package io.jserve.tests.api;

import io.jserve.api.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static io.jserve.tests.api.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code --api-key}: the OpenAI routes need {@code Authorization: Bearer <key>}; health and metrics stay open. */
class AuthTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(ServerConfig.forTests().withApiKeys(List.of("key-one", "key-two")),
                TestServer.engineConfig());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private HttpResponse<String> models(String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.uri("/v1/models")).GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return server.send(request.build());
    }

    @Test
    void missingOrWrongKeyIs401() {
        for (String header : new String[]{null, "Bearer nope", "Bearer key-one2", "key-one", "Basic a2V5LW9uZQ=="}) {
            HttpResponse<String> response = models(header);
            assertEquals(401, response.statusCode(), String.valueOf(header));
            assertEquals("invalid_api_key", json(response).get("error").get("code").asText());
        }
    }

    @Test
    void everyConfiguredKeyIsAccepted() {
        assertEquals(200, models("Bearer key-one").statusCode());
        assertEquals(200, models("bearer key-two").statusCode());
        HttpResponse<String> completion = server.send(HttpRequest.newBuilder(server.uri("/v1/completions"))
                .header("Authorization", "Bearer key-two")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"Once\",\"max_tokens\":2}")).build());
        assertEquals(200, completion.statusCode());
        assertEquals(401, server.post("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":2}").statusCode());
        assertEquals(401, server.post("/tokenize", "{\"prompt\":\"Once\"}").statusCode());
    }

    @Test
    void healthAndMetricsNeedNoKey() {
        assertEquals(200, server.get("/health").statusCode());
        assertEquals(200, server.get("/metrics").statusCode());
    }
}
