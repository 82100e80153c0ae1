package io.jserve.api.server.generation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jserve.api.server.http.Json;

/**
 * Token counts of a response: prompt tokens once per prompt (not per choice), completion tokens over all choices,
 * and how many prompt tokens the prefix cache served (included in {@code promptTokens}).
 */
public record Usage(int promptTokens, int completionTokens, int cachedTokens) {
    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || cachedTokens < 0 || cachedTokens > promptTokens) {
            throw new IllegalArgumentException("bad usage counts: prompt " + promptTokens + ", completion "
                    + completionTokens + ", cached " + cachedTokens);
        }
    }

    /** The OpenAI {@code usage} object. */
    public ObjectNode toJson() {
        ObjectNode usage = Json.object();
        usage.put("prompt_tokens", promptTokens);
        usage.put("completion_tokens", completionTokens);
        usage.put("total_tokens", promptTokens + completionTokens);
        usage.putObject("prompt_tokens_details").put("cached_tokens", cachedTokens);
        return usage;
    }
}
