package io.jserve.kernels;

/**
 * One step's token ids and {@link AttentionMetadata}, made ready by a backend (copied to the device once per
 * step on a GPU). Operations that need positions, slots or block tables take it.
 */
public interface StepInputs {
    /** Token ids of the step, one per row of the step's activations. */
    int[] tokenIds();

    /** The host-side layout the inputs were made from. */
    AttentionMetadata metadata();

    /** Number of tokens in the step. */
    default int numTokens() {
        return tokenIds().length;
    }
}
