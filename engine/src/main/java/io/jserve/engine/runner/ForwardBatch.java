package io.jserve.engine.runner;

import io.jserve.kernels.AttentionMetadata;

import java.util.Objects;

/**
 * One step's input to the model: the flat token ids of every scheduled chunk, their attention layout, and
 * the rows whose logits are sampled (the last token of each sequence whose chunk reaches its end).
 *
 * @param tokenIds   one per token, sequence after sequence
 * @param metadata   positions, block tables and slot mapping of those tokens
 * @param sampleRows indices into {@code tokenIds} of the rows to compute logits for, ascending
 */
public record ForwardBatch(int[] tokenIds, AttentionMetadata metadata, int[] sampleRows) {
    public ForwardBatch {
        Objects.requireNonNull(tokenIds, "tokenIds");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(sampleRows, "sampleRows");
        if (tokenIds.length != metadata.numTokens()) {
            throw new IllegalArgumentException("token ids (%d) and metadata (%d tokens) disagree"
                    .formatted(tokenIds.length, metadata.numTokens()));
        }
        for (int i = 0; i < sampleRows.length; i++) {
            if (sampleRows[i] < 0 || sampleRows[i] >= tokenIds.length || (i > 0 && sampleRows[i] <= sampleRows[i - 1])) {
                throw new IllegalArgumentException("sample rows must be ascending token indices");
            }
        }
    }

    public int numTokens() {
        return tokenIds.length;
    }
}
