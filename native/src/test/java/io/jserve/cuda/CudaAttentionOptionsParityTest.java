package io.jserve.cuda;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sliding window and the score soft-cap of Gemma-2/3 attention against the reference, alone and together, on
 * the multi-sequence steps of {@link CudaAttentionParityTest} (short contexts, windows shorter than most of them)
 * and on long contexts where the visible range starts inside a block and is itself cut into several splits.
 * Scores have a standard deviation of 2 to 3, so caps of 2 to 4 change them a lot (50 hardly: the cap's no-op
 * case). Tolerance: 1e-5 relative L2 error per token, as for plain attention.
 */
class CudaAttentionOptionsParityTest {
    private static final int BLOCK = 16;
    private static final int[][] TABLES = {
            {7, 2, 30, 11},
            {1, 25, 9},
            {40, 3},
            {12, 33, 0, 21},
    };

    @ParameterizedTest(name = "head dim {0}, soft-cap {1}, window {2}")
    @CsvSource({"64, 0, 7", "64, 0, 1", "128, 4, 0", "128, 50, 0", "64, 2, 9", "256, 4, 20", "96, 3, 33"})
    void shortContextsMatchReference(int headDim, float softcap, int window) {
        AttentionConfig config = new AttentionConfig(8, 2, headDim, 3f / (float) Math.sqrt(headDim), softcap, window);
        AttentionMetadata first = TestSteps.step(BLOCK, TABLES, new int[] {0, 0, 0, 0}, new int[] {37, 20, 3, 1});
        AttentionMetadata second = TestSteps.step(BLOCK, TABLES, new int[] {37, 20, 3, 1}, new int[] {1, 13, 1, 50});
        CudaAttentionParityTest.check(CudaTestSupport.cuda(), config, 48, first, second);
    }

    @ParameterizedTest(name = "soft-cap {0}, window {1}")
    @CsvSource({"0, 300", "0, 129", "3, 0", "3, 517"})
    void longContextsMatchReference(float softcap, int window) {
        CudaTestSupport.skipOnTheEmulator("long contexts");  // EmulatedAttentionTest covers them with smaller ones
        int[][] tables = new int[2][];
        tables[0] = new int[80];
        tables[1] = new int[6];
        for (int i = 0; i < 86; i++) {  // a permutation of the 86 blocks (37 is a unit mod 86)
            int block = (i * 37) % 86;
            if (i < 80) {
                tables[0][i] = block;
            } else {
                tables[1][i - 80] = block;
            }
        }
        AttentionConfig config = new AttentionConfig(16, 4, 128, 2f / (float) Math.sqrt(128), softcap, window);
        AttentionMetadata prefill = TestSteps.step(BLOCK, tables, new int[] {0, 0}, new int[] {600, 70});
        AttentionMetadata mixed = TestSteps.step(BLOCK, tables, new int[] {600, 70}, new int[] {1, 20});
        AttentionMetadata chunk = TestSteps.step(BLOCK, tables, new int[] {601, 90}, new int[] {300, 1});
        CudaAttentionParityTest.check(CudaTestSupport.cuda(), config, 86, prefill, mixed, chunk);
    }

    @ParameterizedTest(name = "soft-cap {0}, window {1}")
    @CsvSource({"2, 11", "0, 40"})
    void float32CacheMatchesReference(float softcap, int window) {
        AttentionConfig config = new AttentionConfig(8, 2, 64, 0.125f, softcap, window);
        AttentionMetadata first = TestSteps.step(BLOCK, TABLES, new int[] {0, 0, 0, 0}, new int[] {37, 20, 3, 1});
        AttentionMetadata second = TestSteps.step(BLOCK, TABLES, new int[] {37, 20, 3, 1}, new int[] {1, 13, 1, 50});
        CudaAttentionParityTest.check(CudaTestSupport.cudaWithF32Cache(), config, 48, first, second);
    }
}
