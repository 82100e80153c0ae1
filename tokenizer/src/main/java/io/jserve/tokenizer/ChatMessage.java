package io.jserve.tokenizer;

import java.util.Objects;

/**
 * One chat turn as a chat template sees it ({@code message.role}, {@code message.content}).
 *
 * @param role    e.g. {@code system}, {@code user}, {@code assistant}; not blank
 * @param content the text; may be empty, never null (templates would print "null")
 */
public record ChatMessage(String role, String content) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (role.isBlank()) {
            throw new IllegalArgumentException("a chat message needs a role");
        }
    }
}
