package io.jserve.engine.sampling;

/**
 * The tokens a sequence has seen, as the sampler needs them: prompt and output ids for the repetition
 * penalty, and output counts for presence and frequency penalties. Implemented by the engine's per-sequence
 * state without copying.
 */
public interface TokenHistory {
    /** Number of prompt tokens. */
    int promptLength();

    /** Number of generated tokens. */
    int outputLength();

    /** Token {@code i} of the prompt followed by the output ({@code 0 <= i < promptLength + outputLength}). */
    int token(int i);

    /** The history of a prompt and the tokens generated after it, over the arrays as they are (no copy). */
    static TokenHistory of(int[] prompt, int[] output) {
        return new TokenHistory() {
            @Override
            public int promptLength() {
                return prompt.length;
            }

            @Override
            public int outputLength() {
                return output.length;
            }

            @Override
            public int token(int i) {
                return i < prompt.length ? prompt[i] : output[i - prompt.length];
            }
        };
    }
}
