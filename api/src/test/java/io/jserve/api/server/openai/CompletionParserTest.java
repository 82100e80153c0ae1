package io.jserve.api.server.openai;

import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CompletionParserTest {
    private final CompletionParser parser = new CompletionParser(new GenerationOptionsParser(512), 512);

    private CompletionRequest parse(String json) {
        return parser.parse(Json.parseObject(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void promptAsAString() {
        assertEquals(List.of(new PromptInput.Text("Once")), parse("{\"prompt\": \"Once\"}").prompts());
    }

    @Test
    void promptAsListOfStrings() {
        assertEquals(List.of(new PromptInput.Text("a"), new PromptInput.Text("b")),
                parse("{\"prompt\": [\"a\", \"b\"]}").prompts());
    }

    @Test
    void promptAsTokenIds() {
        List<PromptInput> prompts = parse("{\"prompt\": [1, 400, 2]}").prompts();
        assertEquals(1, prompts.size());
        assertArrayEquals(new int[]{1, 400, 2}, ((PromptInput.Tokens) prompts.get(0)).ids());
    }

    @Test
    void promptAsListsOfTokenIds() {
        List<PromptInput> prompts = parse("{\"prompt\": [[1, 2], [3]]}").prompts();
        assertArrayEquals(new int[]{1, 2}, ((PromptInput.Tokens) prompts.get(0)).ids());
        assertArrayEquals(new int[]{3}, ((PromptInput.Tokens) prompts.get(1)).ids());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}|prompt|'prompt' is required.",
        "{\"prompt\": []}|prompt|'prompt' must not be empty.",
        "{\"prompt\": 5}|prompt|'prompt' must be a string, a list of strings, a list of token ids or a list of lists of token ids; got a number.",
        "{\"prompt\": [1, 512]}|prompt[1]|'prompt[1]' must be in [0, 511], got 512.",
        "{\"prompt\": [1, -1]}|prompt[1]|'prompt[1]' must be in [0, 511], got -1.",
        "{\"prompt\": [1, \"a\"]}|prompt[1]|'prompt[1]' must be an integer, got a string.",
        "{\"prompt\": [\"a\", [1]]}|prompt|'prompt' must not mix strings and token lists; 'prompt[1]' is an array.",
        "{\"prompt\": [[1], []]}|prompt[1]|'prompt[1]' must have at least one token id.",
        "{\"prompt\": [\"a\", \"b\"], \"n\": 100}|n|a request may ask for at most 128 choices in all (prompts x n).",
    })
    void refusesWithTheFieldNamed(String json, String param, String message) {
        ApiException e = assertThrows(ApiException.class, () -> parse(json));
        assertEquals(400, e.status());
        assertEquals(param, e.param());
        assertEquals(message, e.getMessage());
    }
}
