package io.jserve.scheduler;

import java.util.Objects;

/**
 * One sequence's share of a step: tokens {@code startPosition .. startPosition + numTokens - 1} of it run.
 * Their keys and values go to those positions; they attend to positions {@code 0 .. startPosition + numTokens
 * - 1}, i.e. the context length after the step is {@code startPosition + numTokens}.
 *
 * @param sequence      the sequence
 * @param numTokens     tokens scheduled this step, at least 1
 * @param startPosition position of the first of them (= the sequence's computed tokens before the step)
 * @param sample        whether the chunk reaches the end of the sequence's known tokens, so the logits of its
 *                      last token are sampled this step; false for a prefill chunk that is not the last
 */
public record ScheduledSequence(Sequence sequence, int numTokens, int startPosition, boolean sample) {
    public ScheduledSequence {
        Objects.requireNonNull(sequence, "sequence");
        if (numTokens < 1 || startPosition < 0) {
            throw new IllegalArgumentException("%s: %d tokens from position %d"
                    .formatted(sequence.id(), numTokens, startPosition));
        }
    }

    /** Context length once this step's tokens are stored: {@code startPosition + numTokens}. */
    public int contextLength() {
        return startPosition + numTokens;
    }

    /** The token ids to feed (prompt or output tokens of the sequence). */
    public int[] tokenIds() {
        return sequence.tokens(startPosition, startPosition + numTokens);
    }
}
