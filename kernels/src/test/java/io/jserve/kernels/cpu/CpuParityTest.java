package io.jserve.kernels.cpu;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.TestSteps;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every non-matmul operation of the CPU backend against the reference, on seeded random inputs. */
class CpuParityTest {
    static CpuBackend cpu;
    static ReferenceBackend reference;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2, Q8Path.fromSystemProperty(), true);
        reference = new ReferenceBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
        reference.close();
    }

    /** Bound: relative 1e-6 of max(1, |reference|) per value (float sum of squares vs double). */
    @Test
    void rmsNorm() {
        for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16}) {
            int rows = 70;
            int cols = 1000 + 3; // both the vector body and the tail; 70 x 1003 is large enough to split rows
            WeightView g = TestWeights.random(type, 1, cols, 5);
            float[] x = TestWeights.gaussian(rows * cols, 6);
            assertClose(run(cpu, b -> rmsNormOn(b, g, x, rows, cols)), run(reference, b -> rmsNormOn(b, g, x, rows, cols)),
                    1e-6, "rmsNorm " + type);
        }
    }

    private static float[] rmsNormOn(ComputeBackend b, WeightView g, float[] x, int rows, int cols) {
        Tensor t = tensor(b, x, rows, cols);
        b.rmsNorm(t, b.load(g), 1e-5f, t); // in place: outputs may alias
        return ((HostTensor) t).toArray();
    }

    /** Same formula, same float operations: bit-identical. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void rope(boolean neox) {
        int heads = 3;
        int headDim = 16;
        AttentionMetadata m = new TestSteps(4).seq(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, 5, 9)
                .seq(new int[] {9, 8}, 0, 2).build();
        RopeConfig rope = new RopeConfig(12, 10000f, 0.5f, neox);
        float[] x = TestWeights.gaussian(m.numTokens() * heads * headDim, 9);
        float[] got = run(cpu, b -> ropeOn(b, x, m, heads, headDim, rope));
        float[] want = run(reference, b -> ropeOn(b, x, m, heads, headDim, rope));
        assertArrayEquals(want, got);
        for (int t = 0; t < m.numTokens(); t++) { // dims past ropeDim are untouched
            for (int h = 0; h < heads; h++) {
                for (int i = 12; i < headDim; i++) {
                    int at = (t * heads + h) * headDim + i;
                    assertTrue(got[at] == x[at], "dim " + i + " changed");
                }
            }
        }
    }

    private static float[] ropeOn(ComputeBackend b, float[] x, AttentionMetadata m, int heads, int headDim,
                                  RopeConfig rope) {
        StepInputs step = b.prepareStep(new int[m.numTokens()], m);
        Tensor t = tensor(b, x, m.numTokens(), heads * headDim);
        b.rope(t, heads, headDim, rope, step);
        return ((HostTensor) t).toArray();
    }

    /**
     * Add: same float operations, bit-identical (including the split across threads). SiLU: the CPU's vector
     * exponential is within a few ulp of {@link Math#exp}, so relative 1e-6; and bit-identical between the
     * vector body and the scalar tail (a row of 2005 has both), whatever the split.
     */
    @Test
    void siluMulAndAdd() {
        int rows = 40;
        int cols = 2000 + 5;
        float[] a = TestWeights.gaussian(rows * cols, 1);
        float[] c = TestWeights.gaussian(rows * cols, 2);
        float[] silu = elementwise(cpu, a, c, rows, cols, true);
        assertClose(silu, elementwise(reference, a, c, rows, cols, true), 1e-6, "siluMul");
        assertArrayEquals(elementwise(reference, a, c, rows, cols, false), elementwise(cpu, a, c, rows, cols, false));
        for (int r = 0; r < rows; r += 13) { // each row alone: its tail values now fall in the vector body
            float[] one = elementwise(cpu, java.util.Arrays.copyOfRange(a, r * cols, (r + 1) * cols),
                    java.util.Arrays.copyOfRange(c, r * cols, (r + 1) * cols), 1, cols, true);
            assertArrayEquals(java.util.Arrays.copyOfRange(silu, r * cols, (r + 1) * cols), one, "row " + r);
        }
        float[] small = elementwise(cpu, new float[] {0f, 1f, -2f, 3f}, new float[] {1f, 2f, 3f, 4f}, 1, 4, true);
        assertClose(small, new float[] {0f, 2f / (1f + (float) Math.exp(-1)), -6f / (1f + (float) Math.exp(2)),
                12f / (1f + (float) Math.exp(-3))}, 1e-6, "siluMul of known values");
    }

    private static float[] elementwise(ComputeBackend b, float[] x, float[] y, int rows, int cols, boolean silu) {
        Tensor tx = tensor(b, x, rows, cols);
        Tensor ty = tensor(b, y, rows, cols);
        if (silu) {
            b.siluMul(tx, ty, tx);
        } else {
            b.add(tx, ty, ty);
            return ((HostTensor) ty).toArray();
        }
        return ((HostTensor) tx).toArray();
    }

    /** Embedding rows are decoded exactly: bit-identical, and equal to the format's dequantized row. */
    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "Q8_0", "Q4_K", "Q6_K"})
    void embed(String typeName) {
        GgmlType type = GgmlType.valueOf(typeName);
        WeightView table = TestWeights.random(type, 50, 256, 3);
        int[] ids = {7, 0, 49, 7};
        AttentionMetadata m = new TestSteps(16).seq(new int[] {0}, 0, 4).build();
        float[] got = run(cpu, b -> embedOn(b, table, ids, m));
        assertArrayEquals(run(reference, b -> embedOn(b, table, ids, m)), got);
        float[] row49 = io.jserve.kernels.quant.WeightFormat.of(type).dequantize(table.data(), 49 * table.rowBytes(), 256);
        assertArrayEquals(row49, java.util.Arrays.copyOfRange(got, 2 * 256, 3 * 256));
    }

    private static float[] embedOn(ComputeBackend b, WeightView table, int[] ids, AttentionMetadata m) {
        Tensor out = b.allocate(ids.length, 256);
        b.embed(b.load(table), b.prepareStep(ids, m), out);
        return ((HostTensor) out).toArray();
    }

    /**
     * Paged attention on a step of three sequences with scattered block tables: a prefill chunk whose first 6
     * positions were cached by an earlier step, a decode token at position 9, and a fresh 3-token prompt. Bound:
     * 1e-5 absolute per output (values are weighted means of N(0,1) values).
     */
    @ParameterizedTest
    @ValueSource(ints = {8, 16, 32})
    void attention(int headDim) {
        KvCacheShape shape = new KvCacheShape(2, 16, 4, 2, headDim);
        AttentionConfig config = new AttentionConfig(6, 2, headDim, (float) (1 / Math.sqrt(headDim)));
        int[] tableA = {11, 3, 7};
        int[] tableB = {5, 0, 14};
        int[] tableC = {9};
        AttentionMetadata earlier = new TestSteps(4).seq(tableA, 0, 6).seq(tableB, 0, 9).build();
        AttentionMetadata now = new TestSteps(4).seq(tableA, 6, 5).seq(tableB, 9, 1).seq(tableC, 0, 3).build();
        float[] got = run(cpu, b -> attentionOn(b, shape, config, earlier, now));
        float[] want = run(reference, b -> attentionOn(b, shape, config, earlier, now));
        assertClose(got, want, 1e-5, "attention head dim " + headDim);
    }

    /** Stores random K/V of both steps in layer 1 (layer 0 gets different values), then attends the second. */
    static float[] attentionOn(ComputeBackend b, KvCacheShape shape, AttentionConfig config, AttentionMetadata earlier,
                               AttentionMetadata now) {
        try (KvCacheStorage kv = b.allocateKvCache(shape)) {
            int kvDim = shape.kvDim();
            int seed = 0;
            for (AttentionMetadata m : new AttentionMetadata[] {earlier, now}) {
                StepInputs step = b.prepareStep(new int[m.numTokens()], m);
                for (int layer = 0; layer < 2; layer++) {
                    Tensor k = tensor(b, TestWeights.gaussian(m.numTokens() * kvDim, 50 + seed++), m.numTokens(), kvDim);
                    Tensor v = tensor(b, TestWeights.gaussian(m.numTokens() * kvDim, 50 + seed++), m.numTokens(), kvDim);
                    b.storeKv(kv, layer, k, v, step);
                }
            }
            int qDim = config.numHeads() * config.headDim();
            Tensor q = tensor(b, TestWeights.gaussian(now.numTokens() * qDim, 99), now.numTokens(), qDim);
            Tensor out = b.allocate(now.numTokens(), qDim);
            b.attention(kv, 1, q, b.prepareStep(new int[now.numTokens()], now), config, out);
            return ((HostTensor) out).toArray();
        }
    }

    static Tensor tensor(ComputeBackend b, float[] values, int rows, int cols) {
        Tensor t = b.allocate(rows, cols);
        b.upload(values, t);
        return t;
    }

    static float[] run(ComputeBackend b, java.util.function.Function<ComputeBackend, float[]> op) {
        return op.apply(b);
    }

    /** Each value within {@code tol * max(1, |want|)}. */
    static void assertClose(float[] got, float[] want, double tol, String what) {
        assertTrue(got.length == want.length, what + ": lengths differ");
        for (int i = 0; i < got.length; i++) {
            double bound = tol * Math.max(1, Math.abs(want[i]));
            assertTrue(Math.abs(got[i] - want[i]) <= bound,
                    "%s [%d]: cpu %s, reference %s".formatted(what, i, got[i], want[i]));
        }
    }
}
