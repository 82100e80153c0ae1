package io.jserve.api.server.openai;

import java.util.Objects;

/** One prompt of a {@code /v1/completions} request: text to tokenize, or token ids given by the client. */
public sealed interface PromptInput {

    /** A prompt given as text; the tokenizer adds BOS where the model wants it. */
    record Text(String text) implements PromptInput {
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /** A prompt given as token ids, used as is (ids already checked against the vocabulary). */
    record Tokens(int[] ids) implements PromptInput {
        public Tokens {
            ids = ids.clone();
        }

        @Override
        public int[] ids() {
            return ids.clone();
        }
    }
}
