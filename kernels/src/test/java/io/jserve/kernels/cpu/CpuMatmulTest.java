package io.jserve.kernels.cpu;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.quant.WeightFormat;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPU matmul against the reference, and batch invariance, for every weight type. */
class CpuMatmulTest {
    static final int MAX_BATCH = 17;
    /** The default backend: Q8_0 with 8-bit activations (the C kernel where it loads). */
    static CpuBackend cpu;
    static CpuBackend cpuOneThread;
    /** Q8_0 with float activations, the reference's numerics. */
    static CpuBackend cpuFloat;
    static ReferenceBackend reference;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(3, Q8Path.fromSystemProperty(), true);
        cpuOneThread = new CpuBackend(1);
        cpuFloat = new CpuBackend(3, Q8Path.FLOAT, true);
        reference = new ReferenceBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
        cpuOneThread.close();
        cpuFloat.close();
        reference.close();
    }

    /** Row lengths that exercise the 4-vector loop, the leftover vectors and (plain types) the scalar tail. */
    static int cols(GgmlType type) {
        return switch (type.blockSize()) {
            case 1 -> 16 * 4 * 3 + 16 * 3 + 7;
            case 32 -> 32 * 11;
            default -> 256 * 3;
        };
    }

    /**
     * Error bound: each output within {@code 1e-5 * sum_c |w[r, c] * x[t, c]|} of the reference's double dot
     * (float accumulation over at most a few hundred terms per lane chain stays far below it). Q8_0 runs its
     * float path here; its 8-bit path is checked in {@link Q8Int8Test}.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K", "IQ4_NL"})
    void matchesTheReference(GgmlType type) {
        int cols = cols(type);
        int rows = 45;
        WeightView view = TestWeights.random(type, rows, cols, 100 + type.id());
        float[] x = TestWeights.gaussian(MAX_BATCH * cols, 200 + type.id());
        float[] got = matmul(cpuFloat, view, x, MAX_BATCH);
        float[] want = matmul(reference, view, x, MAX_BATCH);
        float[] w = WeightFormat.of(type).dequantize(view.data(), 0, rows * cols);
        for (int t = 0; t < MAX_BATCH; t++) {
            for (int r = 0; r < rows; r++) {
                double magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    magnitude += Math.abs((double) w[r * cols + c] * x[t * cols + c]);
                }
                double err = Math.abs(got[t * rows + r] - want[t * rows + r]);
                assertTrue(err <= 1e-5 * magnitude, "%s t=%d r=%d: cpu %s, reference %s, sum|wx| %s"
                        .formatted(type, t, r, got[t * rows + r], want[t * rows + r], magnitude));
            }
        }
    }

    /**
     * Batch invariance: each token row's outputs are bit-identical alone, in batches of 1..17 rows (any position
     * in a pair or the odd one left), across token blocks, and with 1 or 3 threads.
     */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K",
            "Q5_K", "Q6_K", "IQ4_NL"})
    void isBatchInvariant(GgmlType type) {
        int cols = cols(type);
        int rows = 40;
        WeightView view = TestWeights.random(type, rows, cols, 300 + type.id());
        float[] x = TestWeights.gaussian(MAX_BATCH * cols, 400 + type.id());
        assertInvariant(cpu, cpuOneThread, view, x, rows, cols);
        if (type == GgmlType.Q8_0) {
            assertInvariant(cpuFloat, cpuFloat, view, x, rows, cols);
            try (CpuBackend java3 = new CpuBackend(3, Q8Path.INT8, true); CpuBackend java1 = new CpuBackend(1, Q8Path.INT8)) {
                assertInvariant(java3, java1, view, x, rows, cols);
            }
        }
    }

    /** Long rows make token blocks of 8, so a batch of 17 spans three blocks. */
    @Test
    void isBatchInvariantAcrossTokenBlocks() {
        int cols = 8192;
        WeightView view = TestWeights.random(GgmlType.Q8_0, 6, cols, 7);
        float[] x = TestWeights.gaussian(MAX_BATCH * cols, 8);
        assertInvariant(cpu, cpuOneThread, view, x, 6, cols);
        assertInvariant(cpuFloat, cpuFloat, view, x, 6, cols);
    }

    private static void assertInvariant(CpuBackend cpu, CpuBackend cpuOneThread, WeightView view, float[] x, int rows,
                                        int cols) {
        float[][] alone = new float[MAX_BATCH][];
        for (int t = 0; t < MAX_BATCH; t++) {
            alone[t] = matmul(cpu, view, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1);
        }
        for (int batch = 1; batch <= MAX_BATCH; batch++) {
            float[] x0 = Arrays.copyOf(x, batch * cols);
            float[] many = matmul(cpu, view, x0, batch);
            float[] single = matmul(cpuOneThread, view, x0, batch);
            for (int t = 0; t < batch; t++) {
                float[] row = Arrays.copyOfRange(many, t * rows, (t + 1) * rows);
                assertArrayEquals(alone[t], row, view.type() + ": row " + t + " in a batch of " + batch);
                assertArrayEquals(alone[t], Arrays.copyOfRange(single, t * rows, (t + 1) * rows),
                        view.type() + ": one thread, row " + t + " in a batch of " + batch);
            }
        }
    }

    @Test
    void rejectsMismatchedShapesAndAliasing() {
        Weight w = cpu.load(TestWeights.random(GgmlType.F32, 4, 8, 1));
        var x = cpu.allocate(2, 8);
        assertThrows(IllegalArgumentException.class, () -> cpu.matmul(w, x, cpu.allocate(2, 5)));
        assertThrows(IllegalArgumentException.class, () -> cpu.matmul(w, cpu.allocate(2, 4), cpu.allocate(2, 4)));
        var square = cpu.load(TestWeights.random(GgmlType.F32, 8, 8, 2));
        var e = assertThrows(IllegalArgumentException.class, () -> cpu.matmul(square, x, x));
        assertTrue(e.getMessage().contains("alias"), e.getMessage());
    }

    @Test
    void computesAKnownProduct() {
        float[] wv = {1, 2, 3, 4, 5, 6};
        var seg = java.lang.foreign.MemorySegment.ofArray(new byte[24]);
        for (int i = 0; i < 6; i++) {
            seg.set(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i, wv[i]);
        }
        WeightView view = new WeightView("w", GgmlType.F32, 2, 3, seg);
        float[] out = matmul(cpu, view, new float[] {1, 0, -1, 2, 2, 2}, 2);
        assertArrayEquals(new float[] {-2, -2, 12, 30}, out);
    }

    static float[] matmul(io.jserve.kernels.ComputeBackend backend, WeightView view, float[] x, int batch) {
        Weight w = backend.load(view);
        int cols = (int) view.cols();
        int rows = (int) view.rows();
        HostTensor xt = (HostTensor) backend.allocate(batch, cols);
        HostTensor out = (HostTensor) backend.allocate(batch, rows);
        backend.upload(x, xt);
        backend.matmul(w, xt, out);
        assertEquals(batch * rows, out.toArray().length);
        return out.toArray();
    }
}
