package io.jserve.api.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Reads the fields both completion endpoints share into {@link GenerationOptions}. Ranges follow the OpenAI
 * reference (temperature 0–2, penalties −2..2, logit_bias −100..100) and vLLM's extensions; token ids are checked
 * against the vocabulary, so nothing out of range ever reaches the engine.
 */
public final class GenerationOptionsParser {
    /** Most choices per prompt. */
    public static final int MAX_N = 128;
    /** Most stop strings. */
    public static final int MAX_STOP = 16;
    /** Longest stop string, in characters. */
    public static final int MAX_STOP_LENGTH = 1024;
    /** Most logit_bias entries. */
    public static final int MAX_LOGIT_BIAS = 1024;
    /** Most alternatives per token. */
    public static final int MAX_TOP_LOGPROBS = 20;

    private final int vocabSize;

    /** @param vocabSize token ids must be below this */
    public GenerationOptionsParser(int vocabSize) {
        if (vocabSize < 1) {
            throw new IllegalArgumentException("vocabSize must be positive, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
    }

    /** The fields of {@code /v1/chat/completions}: logprobs is a boolean, top_logprobs a count. */
    public GenerationOptions chat(Fields f) {
        OptionalInt maxTokens = f.integer("max_completion_tokens", 1, Integer.MAX_VALUE);
        if (maxTokens.isEmpty()) {
            maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        }
        boolean logprobs = f.bool("logprobs").orElse(false);
        OptionalInt top = f.integer("top_logprobs", 0, MAX_TOP_LOGPROBS);
        if (top.isPresent() && !logprobs) {
            throw f.invalid("top_logprobs", "'top_logprobs' needs 'logprobs' set to true.");
        }
        return common(f, maxTokens, logprobs ? top.orElse(0) : -1);
    }

    /** The fields of {@code /v1/completions}: logprobs is the number of alternatives. */
    public GenerationOptions completion(Fields f) {
        OptionalInt maxTokens = f.integer("max_tokens", 1, Integer.MAX_VALUE);
        int logprobs = f.integer("logprobs", 0, MAX_TOP_LOGPROBS).orElse(-1);
        rejectUnsupported(f);
        return common(f, maxTokens, logprobs);
    }

    private static void rejectUnsupported(Fields f) {
        if (f.bool("echo").orElse(false)) {
            throw f.invalid("echo", "'echo' is not supported.");
        }
        if (f.string("suffix").filter(s -> !s.isEmpty()).isPresent()) {
            throw f.invalid("suffix", "'suffix' is not supported.");
        }
        if (f.integer("best_of", 1, MAX_N).orElse(1) != 1) {
            throw f.invalid("best_of", "'best_of' other than 1 is not supported.");
        }
    }

    private GenerationOptions common(Fields f, OptionalInt maxTokens, int topLogprobs) {
        float temperature = (float) f.number("temperature", 0, 2).orElse(1);
        float topP = (float) f.number("top_p", 0, 1).orElse(1);
        if (topP == 0) {
            throw f.invalid("top_p", "'top_p' must be greater than 0.");
        }
        int topK = f.integer("top_k", -1, vocabSize).orElse(0);
        float minP = (float) f.number("min_p", 0, 1).orElse(0);
        int n = f.integer("n", 1, MAX_N).orElse(1);
        Long seed = f.longValue("seed", Long.MIN_VALUE, Long.MAX_VALUE).stream().boxed().findFirst().orElse(null);
        float presence = (float) f.number("presence_penalty", -2, 2).orElse(0);
        float frequency = (float) f.number("frequency_penalty", -2, 2).orElse(0);
        float repetition = (float) f.number("repetition_penalty", 0, 10).orElse(1);
        if (repetition == 0) {
            throw f.invalid("repetition_penalty", "'repetition_penalty' must be greater than 0.");
        }
        boolean stream = f.bool("stream").orElse(false);
        boolean includeUsage = streamOptions(f, stream);
        boolean ignoreEos = f.bool("ignore_eos").orElse(false);
        List<Integer> stopTokenIds = f.integers("stop_token_ids", 0, vocabSize - 1, MAX_LOGIT_BIAS).orElse(List.of());
        int minTokens = f.integer("min_tokens", 0, Integer.MAX_VALUE).orElse(0);
        if (maxTokens.isPresent() && minTokens > maxTokens.getAsInt()) {
            throw f.invalid("min_tokens", "'min_tokens' (" + minTokens + ") must not exceed 'max_tokens' ("
                    + maxTokens.getAsInt() + ").");
        }
        f.string("user");
        return new GenerationOptions(maxTokens, temperature, topP, topK, minP, n, stop(f), seed, presence, frequency,
                repetition, logitBias(f), topLogprobs, stream, includeUsage, ignoreEos, stopTokenIds, minTokens);
    }

    private static boolean streamOptions(Fields f, boolean stream) {
        var options = f.object("stream_options");
        if (options.isEmpty()) {
            return false;
        }
        if (!stream) {
            throw f.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
        }
        return new Fields(options.get(), f.param("stream_options.")).bool("include_usage").orElse(false);
    }

    private static List<String> stop(Fields f) {
        var node = f.node("stop");
        if (node.isEmpty()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (node.get().isTextual()) {
            stops.add(node.get().textValue());
        } else if (node.get().isArray()) {
            if (node.get().size() > MAX_STOP) {
                throw f.invalid("stop", "'stop' has " + node.get().size() + " items; at most " + MAX_STOP
                        + " are allowed.");
            }
            for (JsonNode item : node.get()) {
                if (!item.isTextual()) {
                    throw f.invalid("stop", "'stop' must be a string or a list of strings.");
                }
                stops.add(item.textValue());
            }
        } else {
            throw f.invalid("stop", "'stop' must be a string or a list of strings, got "
                    + io.jserve.api.server.http.Json.kind(node.get()) + ".");
        }
        for (String s : stops) {
            if (s.isEmpty() || s.length() > MAX_STOP_LENGTH) {
                throw f.invalid("stop", "each stop string must have 1 to " + MAX_STOP_LENGTH + " characters.");
            }
        }
        return stops;
    }

    private Map<Integer, Float> logitBias(Fields f) {
        var object = f.object("logit_bias");
        if (object.isEmpty()) {
            return Map.of();
        }
        ObjectNode bias = object.get();
        if (bias.size() > MAX_LOGIT_BIAS) {
            throw f.invalid("logit_bias", "'logit_bias' has " + bias.size() + " entries; at most "
                    + MAX_LOGIT_BIAS + " are allowed.");
        }
        Fields entries = new Fields(bias, f.param("logit_bias."));
        Map<Integer, Float> result = new HashMap<>();
        for (var it = bias.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            int token = tokenKey(f, key);
            result.put(token, (float) entries.number(key, -100, 100)
                    .orElseThrow(() -> entries.invalid(key, "logit_bias values must be numbers in [-100, 100].")));
        }
        return result;
    }

    private int tokenKey(Fields f, String key) {
        int token;
        try {
            token = Integer.parseInt(key);
        } catch (NumberFormatException e) {
            throw f.invalid("logit_bias", "'logit_bias' keys must be token ids, got '" + abbreviate(key) + "'.");
        }
        if (token < 0 || token >= vocabSize) {
            throw f.invalid("logit_bias", "'logit_bias' token id " + token + " is outside the vocabulary [0, "
                    + vocabSize + ").");
        }
        return token;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
