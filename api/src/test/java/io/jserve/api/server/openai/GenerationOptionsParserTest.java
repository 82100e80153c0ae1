package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;
import io.jserve.scheduler.SamplingParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerationOptionsParserTest {
    private final GenerationOptionsParser parser = new GenerationOptionsParser(512);

    private static ObjectNode body(String json) {
        return Json.parseObject(json.getBytes(StandardCharsets.UTF_8));
    }

    private GenerationOptions chat(String json) {
        return parser.chat(Fields.of(body(json)));
    }

    private GenerationOptions completion(String json) {
        return parser.completion(Fields.of(body(json)));
    }

    private ApiException chatError(String json) {
        return assertThrows(ApiException.class, () -> chat(json));
    }

    @Test
    void defaultsAreOpenAis() {
        GenerationOptions o = chat("{}");
        assertEquals(OptionalInt.empty(), o.maxTokens());
        assertEquals(1f, o.temperature());
        assertEquals(1f, o.topP());
        assertEquals(0, o.topK());
        assertEquals(0f, o.minP());
        assertEquals(1, o.n());
        assertEquals(List.of(), o.stop());
        assertEquals(null, o.seed());
        assertEquals(-1, o.topLogprobs());
        assertFalse(o.stream());
        assertFalse(o.includeUsage());
        assertFalse(o.wantsLogprobs());
    }

    @Test
    void readsEveryField() {
        GenerationOptions o = chat("""
                {"max_tokens": 7, "temperature": 0.5, "top_p": 0.9, "top_k": 40, "min_p": 0.05, "n": 3,
                 "stop": ["a", "bc"], "seed": 42, "presence_penalty": 0.5, "frequency_penalty": -0.5,
                 "repetition_penalty": 1.1, "logit_bias": {"13": -100, "7": 2.5}, "logprobs": true,
                 "top_logprobs": 4, "stream": true, "stream_options": {"include_usage": true}, "user": "u",
                 "ignore_eos": true, "stop_token_ids": [5, 6], "min_tokens": 2}""");
        assertEquals(OptionalInt.of(7), o.maxTokens());
        assertEquals(3, o.n());
        assertEquals(List.of("a", "bc"), o.stop());
        assertEquals(42L, o.seed());
        assertEquals(Map.of(13, -100f, 7, 2.5f), o.logitBias());
        assertEquals(4, o.topLogprobs());
        assertTrue(o.stream());
        assertTrue(o.includeUsage());
        SamplingParams p = o.samplingParams(7, 2);
        assertEquals(new SamplingParams(0.5f, 40, 0.9f, 0.05f, 44L, 7, 2, true, List.of(5, 6), 0.5f, -0.5f, 1.1f,
                Map.of(13, -100f, 7, 2.5f), 4), p);
    }

    @Test
    void maxCompletionTokensWinsOverMaxTokens() {
        assertEquals(OptionalInt.of(5), chat("{\"max_tokens\": 9, \"max_completion_tokens\": 5}").maxTokens());
    }

    @Test
    void explicitNullsAreAbsent() {
        GenerationOptions o = chat("{\"temperature\": null, \"stop\": null, \"seed\": null, \"stream_options\": null}");
        assertEquals(1f, o.temperature());
        assertEquals(List.of(), o.stop());
    }

    @Test
    void aSingleStopStringIsAList() {
        assertEquals(List.of("\n"), chat("{\"stop\": \"\\n\"}").stop());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"temperature\": 2.5}|temperature|'temperature' must be in [0, 2], got 2.5.",
        "{\"temperature\": \"hot\"}|temperature|'temperature' must be a number, got a string.",
        "{\"top_p\": 0}|top_p|'top_p' must be greater than 0.",
        "{\"max_tokens\": 0}|max_tokens|'max_tokens' must be in [1, 2147483647], got 0.",
        "{\"max_tokens\": 1.5}|max_tokens|'max_tokens' must be an integer, got a number with a fraction.",
        "{\"max_tokens\": \"5\"}|max_tokens|'max_tokens' must be an integer, got a string.",
        "{\"max_tokens\": 99999999999999999999}|max_tokens|'max_tokens' must be in [1, 2147483647], got 99999999999999999999.",
        "{\"n\": 0}|n|'n' must be in [1, 128], got 0.",
        "{\"presence_penalty\": -3}|presence_penalty|'presence_penalty' must be in [-2, 2], got -3.",
        "{\"stop\": 5}|stop|'stop' must be a string or a list of strings, got a number.",
        "{\"stop\": [\"\"]}|stop|each stop string must have 1 to 1024 characters.",
        "{\"logit_bias\": {\"abc\": 1}}|logit_bias|'logit_bias' keys must be token ids, got 'abc'.",
        "{\"logit_bias\": {\"512\": 1}}|logit_bias|'logit_bias' token id 512 is outside the vocabulary [0, 512).",
        "{\"logit_bias\": {\"5\": 101}}|logit_bias.5|'logit_bias.5' must be in [-100, 100], got 101.",
        "{\"top_logprobs\": 2}|top_logprobs|'top_logprobs' needs 'logprobs' set to true.",
        "{\"logprobs\": true, \"top_logprobs\": 21}|top_logprobs|'top_logprobs' must be in [0, 20], got 21.",
        "{\"stream_options\": {\"include_usage\": true}}|stream_options|'stream_options' is only allowed when 'stream' is true.",
        "{\"stream\": true, \"stream_options\": {\"include_usage\": 1}}|stream_options.include_usage|'stream_options.include_usage' must be a boolean, got a number.",
        "{\"stop_token_ids\": [1, 600]}|stop_token_ids[1]|'stop_token_ids[1]' must be in [0, 511], got 600.",
        "{\"seed\": 1e3}|seed|'seed' must be an integer, got a number with a fraction.",
        "{\"min_tokens\": 5, \"max_tokens\": 2}|min_tokens|'min_tokens' (5) must not exceed 'max_tokens' (2).",
        "{\"user\": 5}|user|'user' must be a string, got a number.",
    })
    void refusesWithTheFieldNamed(String json, String param, String message) {
        ApiException e = chatError(json);
        assertEquals(400, e.status());
        assertEquals("invalid_request_error", e.type());
        assertEquals(param, e.param());
        assertEquals(message, e.getMessage());
    }

    @Test
    void completionLogprobsIsACount() {
        assertEquals(3, completion("{\"logprobs\": 3}").topLogprobs());
        assertEquals(-1, completion("{}").topLogprobs());
        assertEquals("logprobs", assertThrows(ApiException.class, () -> completion("{\"logprobs\": true}")).param());
    }

    @Test
    void completionRefusesWhatItDoesNotSupport() {
        assertEquals("echo", assertThrows(ApiException.class, () -> completion("{\"echo\": true}")).param());
        assertEquals("best_of", assertThrows(ApiException.class, () -> completion("{\"best_of\": 2}")).param());
        assertEquals(1, completion("{\"echo\": false, \"best_of\": 1, \"suffix\": \"\"}").n());
    }
}
