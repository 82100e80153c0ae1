package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * storeKv and paged attention against the reference on multi-sequence steps with scattered, non-contiguous block
 * tables: a first step of prefills, then a step mixing decodes, a prefill chunk over cached blocks and a new
 * prompt; and long contexts, whose keys are split across blocks and merged (up to 16 splits, steps over 256
 * tokens in chunks). The device stores K and V in f16 by default, so the reference gets the same f16-rounded K and
 * V: the comparison checks the attention arithmetic. Tolerance: 1e-5 relative L2 error per token (fp32 online
 * softmax against the reference's double).
 */
class CudaAttentionParityTest {
    private static final int BLOCK = 16;
    private static final int[][] TABLES = {
            {7, 2, 30, 11},
            {1, 25, 9},
            {40, 3},
            {12, 33, 0, 21},
    };

    @ParameterizedTest(name = "{0} heads, {1} KV heads, head dim {2}")
    @CsvSource({"8, 4, 8", "8, 2, 64", "4, 4, 128", "4, 1, 256", "28, 4, 128", "6, 6, 96"})
    void matchesReferenceOverTwoSteps(int heads, int kvHeads, int headDim) {
        AttentionMetadata first = TestSteps.step(BLOCK, TABLES, new int[] {0, 0, 0, 0}, new int[] {37, 20, 3, 1});
        AttentionMetadata second = TestSteps.step(BLOCK, TABLES, new int[] {37, 20, 3, 1}, new int[] {1, 13, 1, 50});
        check(CudaTestSupport.cuda(), heads, kvHeads, headDim, 48, first, second);
    }

    @ParameterizedTest(name = "{0} heads, {1} KV heads, head dim {2}")
    @CsvSource({"32, 8, 64", "8, 2, 128"})
    void longContextsAreSplitAndMerged(int heads, int kvHeads, int headDim) {
        CudaTestSupport.skipOnTheEmulator("600-token prefills");  // EmulatedAttentionTest splits long contexts there
        int[][] tables = new int[2][];
        tables[0] = new int[80];  // 80 scattered blocks: positions up to 1279; contexts up to 901 use 15 splits
        tables[1] = new int[6];
        for (int i = 0; i < 86; i++) {  // i -> 37 i mod 86 is a permutation (37 is a unit mod 86)
            int block = (i * 37) % 86;
            if (i < 80) {
                tables[0][i] = block;
            } else {
                tables[1][i - 80] = block;
            }
        }
        AttentionMetadata prefill = TestSteps.step(BLOCK, tables, new int[] {0, 0}, new int[] {600, 70});
        AttentionMetadata mixed = TestSteps.step(BLOCK, tables, new int[] {600, 70}, new int[] {1, 20});
        AttentionMetadata chunk = TestSteps.step(BLOCK, tables, new int[] {601, 90}, new int[] {300, 1});
        check(CudaTestSupport.cuda(), heads, kvHeads, headDim, 86, prefill, mixed, chunk);
    }

    @Test
    void float32CacheMatchesTheReferenceUnrounded() {
        AttentionMetadata first = TestSteps.step(BLOCK, TABLES, new int[] {0, 0, 0, 0}, new int[] {37, 20, 3, 1});
        AttentionMetadata second = TestSteps.step(BLOCK, TABLES, new int[] {37, 20, 3, 1}, new int[] {1, 13, 1, 50});
        check(CudaTestSupport.cudaWithF32Cache(), 8, 2, 64, 48, first, second);
    }

    private static void check(CudaBackend gpu, int heads, int kvHeads, int headDim, int blocks,
                              AttentionMetadata... steps) {
        check(gpu, new AttentionConfig(heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim))), blocks, steps);
    }

    /**
     * Runs the steps on both backends with fresh random q, k and v (block size 16, layer 1 of 2) and compares
     * each step's attention output within 1e-5 relative L2 error per token.
     */
    static void check(CudaBackend gpu, AttentionConfig config, int blocks, AttentionMetadata... steps) {
        int heads = config.numHeads();
        int kvHeads = config.numKvHeads();
        int headDim = config.headDim();
        ComputeBackend ref = CudaTestSupport.reference();
        KvCacheShape shape = new KvCacheShape(2, blocks, BLOCK, kvHeads, headDim);
        try (DeviceKvCache kvGpu = (DeviceKvCache) gpu.allocateKvCache(shape);
             KvCacheStorage kvRef = ref.allocateKvCache(shape)) {
            boolean f16 = kvGpu.precision() == DeviceKvCache.Precision.F16;
            Random rnd = new Random();
            for (AttentionMetadata m : steps) {
                int n = m.numTokens();
                int qDim = heads * headDim;
                int kvDim = kvHeads * headDim;
                float[] q = gaussian(rnd, n * qDim, 1.0);
                float[] k = gaussian(rnd, n * kvDim, 1.0);
                float[] v = gaussian(rnd, n * kvDim, 1.0);
                if (f16) {
                    roundToHalf(k);
                    roundToHalf(v);
                }
                var stepGpu = gpu.prepareStep(new int[n], m);
                var stepRef = ref.prepareStep(new int[n], m);
                gpu.storeKv(kvGpu, 1, tensor(gpu, n, kvDim, k), tensor(gpu, n, kvDim, v), stepGpu);
                ref.storeKv(kvRef, 1, tensor(ref, n, kvDim, k), tensor(ref, n, kvDim, v), stepRef);
                Tensor outGpu = gpu.allocate(n, qDim);
                Tensor outRef = ref.allocate(n, qDim);
                gpu.attention(kvGpu, 1, tensor(gpu, n, qDim, q), stepGpu, config, outGpu);
                ref.attention(kvRef, 1, tensor(ref, n, qDim, q), stepRef, config, outRef);
                assertRowsClose(download(ref, outRef), download(gpu, outGpu), qDim, 1e-5,
                        "attention step of %d tokens".formatted(n));
            }
        }
    }

    /** Rounds to the nearest f16 in place, as the device's f16 cache stores them. */
    private static void roundToHalf(float[] a) {
        for (int i = 0; i < a.length; i++) {
            a[i] = Float.float16ToFloat(Float.floatToFloat16(a[i]));
        }
    }
}
