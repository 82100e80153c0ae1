package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Batch invariance on the GPU: a token's output is bit-identical whether it is computed alone or inside a batch
 * of 1 to 17 tokens (and 32, 33, 64: every tokens-per-block choice of the matrix kernels), at any position in
 * the batch, whatever the other tokens hold.
 */
class CudaBatchInvarianceTest {
    private final Random rnd = new Random();

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void matmulRowDoesNotDependOnItsBatch(GgmlType type) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        int rows = 100;
        int cols = 1024;
        Weight w = gpu.load(RandomWeights.create("w", type, rows, cols, rnd));
        float[] target = gaussian(rnd, cols, 1.0);
        float[] alone = matmulRow(gpu, w, new float[][] {target}, 0, rows);
        int[] sizes = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 32, 33, 64};
        for (int n : sizes) {
            float[][] batch = new float[n][];
            int at = rnd.nextInt(n);
            for (int i = 0; i < n; i++) {
                batch[i] = i == at ? target : gaussian(rnd, cols, 1.0);
            }
            assertArrayEquals(alone, matmulRow(gpu, w, batch, at, rows),
                    "%s: token %d of a batch of %d".formatted(type, at, n));
        }
    }

    private static float[] matmulRow(ComputeBackend b, Weight w, float[][] batch, int row, int outCols) {
        int cols = batch[0].length;
        float[] x = new float[batch.length * cols];
        for (int i = 0; i < batch.length; i++) {
            System.arraycopy(batch[i], 0, x, i * cols, cols);
        }
        Tensor out = b.allocate(batch.length, outCols);
        b.matmul(w, tensor(b, batch.length, cols, x), out);
        float[] got = new float[outCols];
        b.download(out, new int[] {row}, got);
        return got;
    }

    @ParameterizedTest(name = "soft-cap {0}, window {1}")
    @CsvSource({"0, 0", "2, 0", "0, 17", "3, 25"})
    void decodeAttentionDoesNotDependOnTheOtherSequences(float softcap, int window) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        int heads = 8;
        int kvHeads = 2;
        int headDim = 64;
        int block = 16;
        int[][] tables = {{5, 9, 1}, {2, 14}, {7, 3, 11, 0}};
        KvCacheShape shape = new KvCacheShape(1, 16, block, kvHeads, headDim);
        AttentionConfig config = new AttentionConfig(heads, kvHeads, headDim, 0.125f, softcap, window);
        try (KvCacheStorage kv = gpu.allocateKvCache(shape)) {
            AttentionMetadata prefill = TestSteps.step(block, tables, new int[] {0, 0, 0}, new int[] {40, 20, 45});
            attend(gpu, kv, prefill, config, gaussian(rnd, prefill.numTokens() * kvHeads * headDim, 1.0));
            // Sequence 0 decodes position 40: alone, then beside a decode of sequence 2 and a chunk of sequence 1.
            float[] q = gaussian(rnd, heads * headDim, 1.0);
            float[] kvRow = gaussian(rnd, kvHeads * headDim, 1.0);
            AttentionMetadata alone = TestSteps.step(block, new int[][] {tables[0]}, new int[] {40}, new int[] {1});
            float[] expected = attendRows(gpu, kv, alone, config, q, kvRow, 0);
            AttentionMetadata mixed = TestSteps.step(block, new int[][] {tables[1], tables[0], tables[2]},
                    new int[] {20, 40, 45}, new int[] {7, 1, 1});
            float[] got = attendRows(gpu, kv, mixed, config, q, kvRow, 7);
            assertArrayEquals(expected, got);
        }
    }

    /** Runs storeKv + attention for a step whose token {@code at} gets {@code q} and {@code kvRow}; returns its output. */
    private float[] attendRows(ComputeBackend gpu, KvCacheStorage kv, AttentionMetadata m, AttentionConfig c,
                               float[] q, float[] kvRow, int at) {
        int n = m.numTokens();
        int qDim = q.length;
        int kvDim = kvRow.length;
        float[] qs = gaussian(rnd, n * qDim, 1.0);
        float[] kvs = gaussian(rnd, n * kvDim, 1.0);
        System.arraycopy(q, 0, qs, at * qDim, qDim);
        System.arraycopy(kvRow, 0, kvs, at * kvDim, kvDim);
        Tensor out = attend(gpu, kv, m, c, kvs, qs);
        float[] got = new float[qDim];
        gpu.download(out, new int[] {at}, got);
        return got;
    }

    private Tensor attend(ComputeBackend gpu, KvCacheStorage kv, AttentionMetadata m, AttentionConfig c, float[] kv1) {
        return attend(gpu, kv, m, c, kv1, gaussian(rnd, m.numTokens() * c.numHeads() * c.headDim(), 1.0));
    }

    /** Stores {@code kvs} as both keys and values of the step's tokens, then attends with queries {@code qs}. */
    private static Tensor attend(ComputeBackend gpu, KvCacheStorage kv, AttentionMetadata m, AttentionConfig c,
                                 float[] kvs, float[] qs) {
        int n = m.numTokens();
        int kvDim = c.numKvHeads() * c.headDim();
        int qDim = c.numHeads() * c.headDim();
        var step = gpu.prepareStep(new int[n], m);
        float[] values = Arrays.copyOf(kvs, kvs.length);
        for (int i = 0; i < values.length; i++) {
            values[i] = -0.5f * values[i] + 0.25f;
        }
        gpu.storeKv(kv, 0, tensor(gpu, n, kvDim, kvs), tensor(gpu, n, kvDim, values), step);
        Tensor out = gpu.allocate(n, qDim);
        gpu.attention(kv, 0, tensor(gpu, n, qDim, qs), step, c, out);
        return out;
    }
}
