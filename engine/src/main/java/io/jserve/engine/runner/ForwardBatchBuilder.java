package io.jserve.engine.runner;

import io.jserve.kernels.AttentionMetadata;

import java.util.Arrays;

/**
 * Collects the scheduled chunks of one step and lays them out as a {@link ForwardBatch}: flat token ids,
 * positions, per-sequence block tables padded to a common stride, and each token's KV slot
 * ({@code blockId * blockSize + position % blockSize}).
 */
public final class ForwardBatchBuilder {
    private final int blockSize;
    private int[] tokens = new int[64];
    private int[] positions = new int[64];
    private int[] slots = new int[64];
    private int numTokens;
    private int[] queryStarts = new int[9];
    private int[] contextLens = new int[8];
    private int[][] tables = new int[8][];
    private int numSeqs;
    private int[] sampleRows = new int[8];
    private int numSampled;

    public ForwardBatchBuilder(int blockSize) {
        if (blockSize <= 0) {
            throw new IllegalArgumentException("block size must be positive");
        }
        this.blockSize = blockSize;
    }

    /**
     * Adds one sequence's chunk: {@code chunk} holds the tokens of positions {@code startPosition} onwards;
     * {@code blockIds} must cover every position up to the chunk's last.
     *
     * @param sample whether the chunk's last token's logits are sampled
     */
    public ForwardBatchBuilder add(int[] chunk, int startPosition, int[] blockIds, boolean sample) {
        int count = chunk.length;
        int end = startPosition + count;
        if (count == 0 || startPosition < 0) {
            throw new IllegalArgumentException("empty chunk or negative position " + startPosition);
        }
        if ((long) blockIds.length * blockSize < end) {
            throw new IllegalArgumentException("%d blocks cannot hold %d positions".formatted(blockIds.length, end));
        }
        ensureTokens(numTokens + count);
        ensureSeqs(numSeqs + 1);
        for (int i = 0; i < count; i++) {
            int p = startPosition + i;
            tokens[numTokens] = chunk[i];
            positions[numTokens] = p;
            slots[numTokens] = blockIds[p / blockSize] * blockSize + p % blockSize;
            numTokens++;
        }
        tables[numSeqs] = blockIds;
        contextLens[numSeqs] = end;
        queryStarts[numSeqs + 1] = numTokens;
        numSeqs++;
        if (sample) {
            sampleRows[numSampled++] = numTokens - 1;
        }
        return this;
    }

    public int numTokens() {
        return numTokens;
    }

    /** The batch so far; the builder can then be {@link #reset()} for the next step. */
    public ForwardBatch build() {
        if (numSeqs == 0) {
            throw new IllegalStateException("empty batch");
        }
        int stride = 1;
        for (int s = 0; s < numSeqs; s++) {
            stride = Math.max(stride, (contextLens[s] + blockSize - 1) / blockSize);
        }
        int[] flatTables = new int[numSeqs * stride];
        for (int s = 0; s < numSeqs; s++) {
            int used = (contextLens[s] + blockSize - 1) / blockSize;
            System.arraycopy(tables[s], 0, flatTables, s * stride, used);
        }
        AttentionMetadata metadata = new AttentionMetadata(Arrays.copyOf(positions, numTokens),
                Arrays.copyOf(queryStarts, numSeqs + 1), Arrays.copyOf(contextLens, numSeqs), flatTables, stride,
                Arrays.copyOf(slots, numTokens), blockSize);
        return new ForwardBatch(Arrays.copyOf(tokens, numTokens), metadata, Arrays.copyOf(sampleRows, numSampled));
    }

    public void reset() {
        numTokens = 0;
        numSeqs = 0;
        numSampled = 0;
        Arrays.fill(tables, null);
    }

    private void ensureTokens(int n) {
        if (n > tokens.length) {
            int size = Math.max(n, tokens.length * 2);
            tokens = Arrays.copyOf(tokens, size);
            positions = Arrays.copyOf(positions, size);
            slots = Arrays.copyOf(slots, size);
        }
    }

    private void ensureSeqs(int n) {
        if (n > contextLens.length) {
            int size = Math.max(n, contextLens.length * 2);
            contextLens = Arrays.copyOf(contextLens, size);
            tables = Arrays.copyOf(tables, size);
            queryStarts = Arrays.copyOf(queryStarts, size + 1);
            sampleRows = Arrays.copyOf(sampleRows, size);
        }
    }
}
