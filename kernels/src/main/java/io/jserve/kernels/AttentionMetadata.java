package io.jserve.kernels;

import java.util.Objects;

/**
 * The layout of one forward step over several sequences, as flat arrays a GPU can take in one copy each.
 *
 * <p>The step's tokens are laid out sequence after sequence: sequence {@code s} owns tokens
 * {@code queryStarts[s] .. queryStarts[s+1]-1}. Those tokens are the last ones of the sequence's first
 * {@code contextLens[s]} tokens, so token {@code t} of sequence {@code s} sits at position
 * {@code contextLens[s] - (queryStarts[s+1] - t)} and attends causally to every earlier position and itself.
 * Keys and values of position {@code p} of sequence {@code s} live in slot
 * {@code blockTables[s * blockTableStride + p / blockSize] * blockSize + p % blockSize};
 * {@code slotMapping[t]} is the slot where token {@code t}'s own key and value are stored this step.
 *
 * @param positions        per token: its position in its sequence
 * @param queryStarts      per sequence plus one: offsets of each sequence's first token (starts at 0, ends at the
 *                         token count)
 * @param contextLens      per sequence: tokens in its KV cache once this step's are stored
 * @param blockTables      per sequence: {@code blockTableStride} block ids (unused tail entries are ignored)
 * @param blockTableStride entries per sequence in {@code blockTables}
 * @param slotMapping      per token: the KV slot it is written to
 * @param blockSize        tokens per block
 */
public record AttentionMetadata(int[] positions, int[] queryStarts, int[] contextLens, int[] blockTables,
                                int blockTableStride, int[] slotMapping, int blockSize) {
    public AttentionMetadata {
        Objects.requireNonNull(positions, "positions");
        Objects.requireNonNull(queryStarts, "queryStarts");
        Objects.requireNonNull(contextLens, "contextLens");
        Objects.requireNonNull(blockTables, "blockTables");
        Objects.requireNonNull(slotMapping, "slotMapping");
        int numSeqs = contextLens.length;
        if (queryStarts.length != numSeqs + 1 || queryStarts[0] != 0) {
            throw new IllegalArgumentException("queryStarts must have numSeqs + 1 entries starting at 0");
        }
        int numTokens = queryStarts[numSeqs];
        if (positions.length != numTokens || slotMapping.length != numTokens) {
            throw new IllegalArgumentException("positions and slotMapping must have one entry per token (%d)"
                    .formatted(numTokens));
        }
        if (blockSize <= 0 || blockTableStride <= 0 || blockTables.length != numSeqs * blockTableStride) {
            throw new IllegalArgumentException("blockTables must hold numSeqs * blockTableStride entries");
        }
        for (int s = 0; s < numSeqs; s++) {
            int q = queryStarts[s + 1] - queryStarts[s];
            if (q <= 0 || contextLens[s] < q || contextLens[s] > blockTableStride * blockSize) {
                throw new IllegalArgumentException(
                        "sequence %d: %d query tokens, context %d, room for %d"
                                .formatted(s, q, contextLens[s], blockTableStride * blockSize));
            }
        }
    }

    /** Number of tokens in the step. */
    public int numTokens() {
        return positions.length;
    }

    /** Number of sequences in the step. */
    public int numSeqs() {
        return contextLens.length;
    }

    /** Largest context length of the step. */
    public int maxContextLen() {
        int max = 0;
        for (int len : contextLens) {
            max = Math.max(max, len);
        }
        return max;
    }
}
