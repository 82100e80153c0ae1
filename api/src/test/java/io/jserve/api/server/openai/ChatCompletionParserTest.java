package io.jserve.api.server.openai;

import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;
import io.jserve.tokenizer.ChatMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ChatCompletionParserTest {
    private final ChatCompletionParser parser = new ChatCompletionParser(new GenerationOptionsParser(512));

    private ChatCompletionRequest parse(String json) {
        return parser.parse(Json.parseObject(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsMessagesWithStringAndPartContent() {
        ChatCompletionRequest r = parse("""
                {"model": "m", "messages": [
                  {"role": "developer", "content": "be brief"},
                  {"role": "user", "content": [{"type": "text", "text": "Hello, "}, {"type": "text", "text": "you"}]},
                  {"role": "assistant", "content": null},
                  {"role": "user", "content": "again", "name": "bob"}]}""");
        assertEquals(Optional.of("m"), r.model());
        assertEquals(List.of(new ChatMessage("system", "be brief"), new ChatMessage("user", "Hello, you"),
                new ChatMessage("assistant", ""), new ChatMessage("user", "again")), r.messages());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}|messages|'messages' is required.",
        "{\"messages\": []}|messages|'messages' must have at least one message.",
        "{\"messages\": \"hi\"}|messages|'messages' must be an array, got a string.",
        "{\"messages\": [5]}|messages[0]|each message must be an object, got a number.",
        "{\"messages\": [{\"content\": \"x\"}]}|messages[0].role|'messages[0].role' is required.",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}, {\"role\": \"wizard\", \"content\": \"x\"}]}|messages[1].role|'messages[1].role' must be one of system, user, assistant; got 'wizard'.",
        "{\"messages\": [{\"role\": \"user\"}]}|messages[0].content|'messages[0].content' is required.",
        "{\"messages\": [{\"role\": \"user\", \"content\": 3}]}|messages[0].content|'messages[0].content' must be a string or a list of text parts, got a number.",
        "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]}|messages[0].content[0].type|only text content parts are supported, got 'image_url'.",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"tools\": [{}]}|tools|tools are not supported.",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"response_format\": {\"type\": \"json_object\"}}|response_format|response_format 'json_object' is not supported; only 'text'.",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"model\": 5}|model|'model' must be a string, got a number.",
    })
    void refusesWithTheFieldNamed(String json, String param, String message) {
        ApiException e = assertThrows(ApiException.class, () -> parse(json));
        assertEquals(400, e.status());
        assertEquals(param, e.param());
        assertEquals(message, e.getMessage());
    }
}
