package io.jserve.api.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.jserve.scheduler.SamplingParams;

import java.util.List;
import java.util.Map;

/**
 * The {@code body} of one batch line: a string {@code prompt} and optional {@code max_tokens},
 * {@code temperature}, {@code top_p}, {@code top_k}, {@code min_p}, {@code seed}, {@code ignore_eos}; fields
 * left out take the command line's values.
 */
record BatchRequest(String prompt, SamplingParams params) {

    static BatchRequest parse(JsonNode body, SamplingParams defaults) {
        if (!body.isObject()) {
            throw new IllegalArgumentException("each line needs a \"body\" object");
        }
        JsonNode prompt = body.path("prompt");
        if (!prompt.isTextual() || prompt.asText().isEmpty()) {
            throw new IllegalArgumentException("body.prompt must be a non-empty string");
        }
        SamplingParams p = new SamplingParams(
                floatField(body, "temperature", defaults.temperature()),
                intField(body, "top_k", defaults.topK()),
                floatField(body, "top_p", defaults.topP()),
                floatField(body, "min_p", defaults.minP()),
                body.has("seed") ? Long.valueOf(longField(body, "seed")) : defaults.seed(),
                intField(body, "max_tokens", defaults.maxTokens()),
                0,
                body.has("ignore_eos") ? boolField(body, "ignore_eos") : defaults.ignoreEos(),
                List.of(), 0f, 0f, 1f, Map.of(), -1);
        return new BatchRequest(prompt.asText(), p);
    }

    private static float floatField(JsonNode body, String name, float fallback) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("body." + name + " must be a number");
        }
        return v.floatValue();
    }

    private static int intField(JsonNode body, String name, int fallback) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("body." + name + " must be an integer");
        }
        return v.intValue();
    }

    private static long longField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("body." + name + " must be an integer");
        }
        return v.longValue();
    }

    private static boolean boolField(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("body." + name + " must be true or false");
        }
        return v.booleanValue();
    }
}
