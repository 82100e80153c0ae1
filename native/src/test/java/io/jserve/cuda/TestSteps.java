package io.jserve.cuda;

import io.jserve.kernels.AttentionMetadata;

/** Builds the {@link AttentionMetadata} of a step from each sequence's block table and token counts. */
final class TestSteps {
    private TestSteps() {
    }

    /**
     * Sequence {@code s} has {@code computed[s]} tokens already in the cache and {@code fresh[s]} new ones this step;
     * its positions map to slots through {@code tables[s]} (padded with zeros to the longest table).
     */
    static AttentionMetadata step(int blockSize, int[][] tables, int[] computed, int[] fresh) {
        int seqs = tables.length;
        int stride = 0;
        for (int[] t : tables) {
            stride = Math.max(stride, t.length);
        }
        int tokens = 0;
        for (int f : fresh) {
            tokens += f;
        }
        int[] positions = new int[tokens];
        int[] slots = new int[tokens];
        int[] starts = new int[seqs + 1];
        int[] contextLens = new int[seqs];
        int[] flatTables = new int[seqs * stride];
        int t = 0;
        for (int s = 0; s < seqs; s++) {
            System.arraycopy(tables[s], 0, flatTables, s * stride, tables[s].length);
            starts[s] = t;
            contextLens[s] = computed[s] + fresh[s];
            for (int p = computed[s]; p < contextLens[s]; p++, t++) {
                positions[t] = p;
                slots[t] = tables[s][p / blockSize] * blockSize + p % blockSize;
            }
        }
        starts[seqs] = t;
        return new AttentionMetadata(positions, starts, contextLens, flatTables, stride, slots, blockSize);
    }
}
