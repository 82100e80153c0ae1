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
}
