package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The row-wise and element-wise kernels against the scalar reference on fresh random inputs. Embedding and add
 * are exact (one rounding each, the same on both sides); the others allow 2e-6 relative L2 error per row for
 * float sums in another order and CUDA's expf, sincosf (within 2 ulp) against Java's correctly rounded ones.
 */
class CudaElementwiseParityTest {
    private final Random rnd = new Random();

    /** A step of {@code n} tokens of one sequence at positions {@code first .. first + n - 1}. */
    private static AttentionMetadata oneSequence(int n, int first) {
        int[] positions = new int[n];
        int[] slots = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = first + i;
            slots[i] = first + i;
        }
        int blocks = (first + n + 15) / 16;
        int[] table = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            table[b] = b;
        }
        return new AttentionMetadata(positions, new int[] {0, n}, new int[] {first + n}, table, blocks, slots, 16);
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void embedIsExact(GgmlType type) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int vocab = 300;
        int dim = 192;
        WeightView table = RandomWeights.create("tok_embd", type, vocab, dim, rnd);
        int[] ids = {0, 299, 17, 17, 128, 5, 256};
        AttentionMetadata m = oneSequence(ids.length, 0);
        Tensor outGpu = gpu.allocate(ids.length, dim);
        Tensor outRef = ref.allocate(ids.length, dim);
        gpu.embed(gpu.load(table), gpu.prepareStep(ids, m), outGpu);
        ref.embed(ref.load(table), ref.prepareStep(ids, m), outRef);
        assertArrayEquals(download(ref, outRef), download(gpu, outGpu));
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1000, 4096})
    void rmsNormMatches(int dim) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 5;
        WeightView w = RandomWeights.create("norm", GgmlType.F32, 1, dim, rnd);
        float[] x = gaussian(rnd, rows * dim, 3.0);
        Tensor outGpu = gpu.allocate(rows, dim);
        Tensor outRef = ref.allocate(rows, dim);
        gpu.rmsNorm(tensor(gpu, rows, dim, x), gpu.load(w), 1e-5f, outGpu);
        ref.rmsNorm(tensor(ref, rows, dim, x), ref.load(w), 1e-5f, outRef);
        assertRowsClose(download(ref, outRef), download(gpu, outGpu), dim, 2e-6, "rmsNorm " + dim);
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1000, 4096})
    void addRmsNormIsAddThenRmsNormExactly(int dim) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        int rows = 5;
        WeightView w = RandomWeights.create("norm", GgmlType.F32, 1, dim, rnd);
        float[] x = gaussian(rnd, rows * dim, 3.0);
        float[] delta = gaussian(rnd, rows * dim, 1.0);
        Tensor fx = tensor(gpu, rows, dim, x);
        Tensor fd = tensor(gpu, rows, dim, delta);
        gpu.addRmsNorm(fx, fd, gpu.load(w), 1e-5f, fd);
        Tensor sx = tensor(gpu, rows, dim, x);
        Tensor out = gpu.allocate(rows, dim);
        gpu.add(sx, tensor(gpu, rows, dim, delta), sx);
        gpu.rmsNorm(sx, gpu.load(w), 1e-5f, out);
        assertArrayEquals(download(gpu, sx), download(gpu, fx), "x");
        assertArrayEquals(download(gpu, out), download(gpu, fd), "normed");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeAndStoreKvIsTheThreeOperationsExactly(boolean neox) {
        CudaBackend gpu = CudaTestSupport.cuda();
        int heads = 8;
        int kvHeads = 2;
        int headDim = 64;
        RopeConfig rope = new RopeConfig(64, 10000f, 1f, neox);
        AttentionConfig config = new AttentionConfig(heads, kvHeads, headDim, 0.125f);
        AttentionMetadata m = TestSteps.step(16, new int[][] {{3, 1}, {0, 2}}, new int[] {0, 0}, new int[] {20, 9});
        int n = m.numTokens();
        float[] q = gaussian(rnd, n * heads * headDim, 1.0);
        float[] k = gaussian(rnd, n * kvHeads * headDim, 1.0);
        float[] v = gaussian(rnd, n * kvHeads * headDim, 1.0);
        KvCacheShape shape = new KvCacheShape(1, 4, 16, kvHeads, headDim);
        float[][] results = new float[2][];
        for (int fused = 0; fused < 2; fused++) {
            try (KvCacheStorage kv = gpu.allocateKvCache(shape)) {
                var step = gpu.prepareStep(new int[n], m);
                Tensor tq = tensor(gpu, n, heads * headDim, q);
                Tensor tk = tensor(gpu, n, kvHeads * headDim, k);
                Tensor tv = tensor(gpu, n, kvHeads * headDim, v);
                if (fused == 1) {
                    gpu.ropeAndStoreKv(tq, tk, tv, heads, kvHeads, headDim, rope, kv, 0, step);
                } else {
                    gpu.rope(tq, heads, headDim, rope, step);
                    gpu.rope(tk, kvHeads, headDim, rope, step);
                    gpu.storeKv(kv, 0, tk, tv, step);
                }
                Tensor out = gpu.allocate(n, heads * headDim);
                gpu.attention(kv, 0, tq, step, config, out);  // reads the pools
                float[] dq = download(gpu, tq);
                float[] dk = download(gpu, tk);
                float[] da = download(gpu, out);
                float[] all = Arrays.copyOf(dq, dq.length + dk.length + da.length);
                System.arraycopy(dk, 0, all, dq.length, dk.length);
                System.arraycopy(da, 0, all, dq.length + dk.length, da.length);
                results[fused] = all;
            }
        }
        assertArrayEquals(results[0], results[1]);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeMatches(boolean neox) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int heads = 6;
        int headDim = 64;
        for (RopeConfig rope : new RopeConfig[] {new RopeConfig(64, 10000f, 1f, neox),
                new RopeConfig(32, 500000f, 0.25f, neox)}) {
            int n = 9;
            AttentionMetadata m = oneSequence(n, 3000);
            float[] x = gaussian(rnd, n * heads * headDim, 1.0);
            Tensor xGpu = tensor(gpu, n, heads * headDim, x);
            Tensor xRef = tensor(ref, n, heads * headDim, x);
            int[] ids = new int[n];
            gpu.rope(xGpu, heads, headDim, rope, gpu.prepareStep(ids, m));
            ref.rope(xRef, heads, headDim, rope, ref.prepareStep(ids, m));
            assertRowsClose(download(ref, xRef), download(gpu, xGpu), heads * headDim, 2e-6, "rope " + rope);
        }
    }

    @Test
    void siluMulMatchesInPlace() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 3;
        int cols = 1500;
        float[] gate = gaussian(rnd, rows * cols, 4.0);
        float[] up = gaussian(rnd, rows * cols, 1.0);
        Tensor gGpu = tensor(gpu, rows, cols, gate);
        Tensor gRef = tensor(ref, rows, cols, gate);
        gpu.siluMul(gGpu, tensor(gpu, rows, cols, up), gGpu);
        ref.siluMul(gRef, tensor(ref, rows, cols, up), gRef);
        assertRowsClose(download(ref, gRef), download(gpu, gGpu), cols, 2e-6, "siluMul");
    }

    @Test
    void addIsExact() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 4;
        int cols = 777;
        float[] a = gaussian(rnd, rows * cols, 1.0);
        float[] b = gaussian(rnd, rows * cols, 1.0);
        Tensor aGpu = tensor(gpu, rows, cols, a);
        Tensor aRef = tensor(ref, rows, cols, a);
        gpu.add(aGpu, tensor(gpu, rows, cols, b), aGpu);
        ref.add(aRef, tensor(ref, rows, cols, b), aRef);
        assertArrayEquals(download(ref, aRef), download(gpu, aGpu));
    }

    @Test
    void downloadCopiesOnlyTheRowsAskedFor() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        int cols = 33;
        float[] x = gaussian(rnd, 10 * cols, 1.0);
        Tensor t = tensor(gpu, 10, cols, x);
        int[] rows = {9, 2, 3, 4, 0};
        float[] got = new float[rows.length * cols];
        gpu.download(t, rows, got);
        float[] expected = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(x, rows[i] * cols, expected, i * cols, cols);
        }
        assertArrayEquals(expected, got);
    }
}
