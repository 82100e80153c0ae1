package io.jserve.api.server.openai;

import io.jserve.tokenizer.ChatMessage;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A validated {@code POST /v1/chat/completions} body.
 *
 * @param model    the {@code model} field, empty when the client left it out
 * @param messages the conversation, roles already checked (system, user, assistant)
 * @param options  sampling, stopping and output options
 */
public record ChatCompletionRequest(Optional<String> model, List<ChatMessage> messages, GenerationOptions options) {
    public ChatCompletionRequest {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(options, "options");
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
    }
}
