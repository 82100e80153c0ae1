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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * storeKv and paged attention against the reference on multi-sequence steps with scattered, non-contiguous block
 * tables: a first step of prefills, then a step mixing decodes, a prefill chunk over cached blocks and a new
 * prompt. Tolerance: 1e-5 relative L2 error per token (fp32 online softmax against the reference's double).
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
    @CsvSource({"8, 4, 8", "8, 2, 64", "4, 4, 128", "4, 1, 256"})
    void matchesReferenceOverTwoSteps(int heads, int kvHeads, int headDim) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        KvCacheShape shape = new KvCacheShape(2, 48, BLOCK, kvHeads, headDim);
        AttentionConfig config = new AttentionConfig(heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)));
        try (KvCacheStorage kvGpu = gpu.allocateKvCache(shape); KvCacheStorage kvRef = ref.allocateKvCache(shape)) {
            Random rnd = new Random();
            AttentionMetadata first = TestSteps.step(BLOCK, TABLES, new int[] {0, 0, 0, 0}, new int[] {37, 20, 3, 1});
            AttentionMetadata second = TestSteps.step(BLOCK, TABLES, new int[] {37, 20, 3, 1}, new int[] {1, 13, 1, 50});
            for (AttentionMetadata m : new AttentionMetadata[] {first, second}) {
                int n = m.numTokens();
                int qDim = heads * headDim;
                int kvDim = kvHeads * headDim;
                float[] q = gaussian(rnd, n * qDim, 1.0);
                float[] k = gaussian(rnd, n * kvDim, 1.0);
                float[] v = gaussian(rnd, n * kvDim, 1.0);
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
}
