package io.jserve.scheduler;

import java.util.Objects;
import java.util.Optional;

/**
 * What one step did to a sampled sequence: the token it appended and, if that ended it, why.
 *
 * @param sequence     the sequence (already freed when finished)
 * @param tokenId      the token appended this step
 * @param finishReason set when this token finished the sequence
 */
public record SequenceUpdate(Sequence sequence, int tokenId, Optional<FinishReason> finishReason) {
    public SequenceUpdate {
        Objects.requireNonNull(sequence, "sequence");
        Objects.requireNonNull(finishReason, "finishReason");
    }

    public boolean finished() {
        return finishReason.isPresent();
    }
}
