package io.jserve.api.server.openai;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated {@code POST /v1/completions} body.
 *
 * @param model   the {@code model} field, empty when left out
 * @param prompts one or more prompts; each gets {@code options.n()} choices
 * @param options sampling, stopping and output options
 */
public record CompletionRequest(Optional<String> model, List<PromptInput> prompts, GenerationOptions options) {
    public CompletionRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty()) {
            throw new IllegalArgumentException("prompts must not be empty");
        }
    }
}
