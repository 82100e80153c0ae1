package io.jserve.engine;

import io.jserve.scheduler.SamplingParams;

import java.util.Objects;

/**
 * One generation request as the engine sees it: already tokenized, already validated.
 *
 * @param id           unique among live requests; used to abort
 * @param promptTokens the prompt's token ids (BOS included where the model wants it); not empty
 * @param params       sampling and stopping parameters
 */
public record EngineRequest(String id, int[] promptTokens, SamplingParams params) {
    public EngineRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(promptTokens, "promptTokens");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt must have at least one token");
        }
        promptTokens = promptTokens.clone();
    }

    @Override
    public int[] promptTokens() {
        return promptTokens.clone();
    }

    /** Number of prompt tokens. */
    public int promptLength() {
        return promptTokens.length;
    }
}
