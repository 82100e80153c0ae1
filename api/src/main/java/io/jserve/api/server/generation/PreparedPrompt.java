package io.jserve.api.server.generation;

/**
 * A prompt ready for the engine: its token ids and how many tokens may be generated after it (the request's
 * {@code max_tokens}, or the endpoint's default, already checked against the context length).
 */
public record PreparedPrompt(int[] tokenIds, int maxTokens) {
    public PreparedPrompt {
        if (tokenIds.length == 0) {
            throw new IllegalArgumentException("a prompt needs at least one token");
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be at least 1, got " + maxTokens);
        }
        tokenIds = tokenIds.clone();
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    public int length() {
        return tokenIds.length;
    }
}
