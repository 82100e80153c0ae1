package io.jserve.kernels.host;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.StepInputs;

import java.util.Objects;

/**
 * A step's inputs for the host backends: nothing to upload, the arrays are used as they are.
 *
 * @param tokenIds one id per token of the step
 * @param metadata the step's attention layout
 */
public record HostStepInputs(int[] tokenIds, AttentionMetadata metadata) implements StepInputs {
    public HostStepInputs {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(metadata, "metadata");
        if (tokenIds.length != metadata.numTokens()) {
            throw new IllegalArgumentException("%d token ids for a step of %d tokens"
                    .formatted(tokenIds.length, metadata.numTokens()));
        }
    }

    /** The host inputs behind {@code s}, or a clear failure when they were made by another backend. */
    public static HostStepInputs of(StepInputs s) {
        if (s instanceof HostStepInputs h) {
            return h;
        }
        throw new IllegalArgumentException("step inputs " + s + " were not made by a host backend");
    }

    /**
     * Sequence index of each token ({@code metadata.queryStarts} expanded), so a kernel working on one token can
     * find its block table and context length.
     */
    public int[] sequenceOfToken() {
        int[] starts = metadata.queryStarts();
        int[] seq = new int[metadata.numTokens()];
        for (int s = 0; s < metadata.numSeqs(); s++) {
            for (int t = starts[s]; t < starts[s + 1]; t++) {
                seq[t] = s;
            }
        }
        return seq;
    }
}
