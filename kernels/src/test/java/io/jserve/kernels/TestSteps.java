package io.jserve.kernels;

import java.util.ArrayList;
import java.util.List;

/** Builds a step's {@link AttentionMetadata} from per-sequence block tables, cached lengths and new tokens. */
public final class TestSteps {
    private final int blockSize;
    private final List<int[]> tables = new ArrayList<>();
    private final List<int[]> spans = new ArrayList<>();

    public TestSteps(int blockSize) {
        this.blockSize = blockSize;
    }

    /** A sequence with {@code cached} tokens already stored and {@code newTokens} computed this step. */
    public TestSteps seq(int[] blockTable, int cached, int newTokens) {
        tables.add(blockTable);
        spans.add(new int[] {cached, newTokens});
        return this;
    }

    public AttentionMetadata build() {
        int stride = tables.stream().mapToInt(t -> t.length).max().orElseThrow();
        int numSeqs = tables.size();
        int numTokens = spans.stream().mapToInt(s -> s[1]).sum();
        int[] positions = new int[numTokens];
        int[] slots = new int[numTokens];
        int[] starts = new int[numSeqs + 1];
        int[] contextLens = new int[numSeqs];
        int[] blockTables = new int[numSeqs * stride];
        int t = 0;
        for (int s = 0; s < numSeqs; s++) {
            int[] table = tables.get(s);
            System.arraycopy(table, 0, blockTables, s * stride, table.length);
            int cached = spans.get(s)[0];
            int n = spans.get(s)[1];
            starts[s] = t;
            contextLens[s] = cached + n;
            for (int p = cached; p < cached + n; p++, t++) {
                positions[t] = p;
                slots[t] = table[p / blockSize] * blockSize + p % blockSize;
            }
        }
        starts[numSeqs] = t;
        return new AttentionMetadata(positions, starts, contextLens, blockTables, stride, slots, blockSize);
    }
}
