package io.jserve.kernels.cpu;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.SharedModels;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.quant.WeightFormat;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The 8-bit-activation Q8_0 product: the quantizer against llama.cpp's rule, the Vector API and C kernels against
 * a scalar oracle (bit for bit), batch invariance of both, and the error against the float reference.
 */
class Q8Int8Test {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The oracle's quantization of one row: llama.cpp's x86 {@code quantize_row_q8_0}, written out plainly. */
    record Quantized(byte[] q, float[] d) {
    }

    static Quantized quantize(float[] x, int offset, int cols) {
        byte[] q = new byte[cols];
        float[] d = new float[cols / 32];
        for (int b = 0; b < cols / 32; b++) {
            float amax = 0f;
            for (int j = 0; j < 32; j++) {
                amax = Math.max(amax, Math.abs(x[offset + 32 * b + j]));
            }
            d[b] = Float.float16ToFloat(Float.floatToFloat16(amax / 127f));
            float id = amax != 0f ? 127f / amax : 0f;
            for (int j = 0; j < 32; j++) {
                q[32 * b + j] = (byte) Math.rint(x[offset + 32 * b + j] * id);
            }
        }
        return new Quantized(q, d);
    }

    /** The oracle's dot: exact integer block sums, then the float steps the kernels promise, one by one. */
    static float oracleDot(MemorySegment w, long row, Quantized x) {
        float[] acc = new float[16];
        for (int b = 0; b < x.d().length; b++) {
            long wb = row + 34L * b;
            int isum = 0;
            for (int j = 0; j < 32; j++) {
                isum += w.get(ValueLayout.JAVA_BYTE, wb + 2 + j) * x.q()[32 * b + j];
            }
            float scale = Float.float16ToFloat(w.get(HALF, wb)) * x.d()[b];
            acc[b % 16] = Math.fma((float) isum, scale, acc[b % 16]);
        }
        float y = acc[0];
        for (int k = 1; k < 16; k++) {
            y += acc[k];
        }
        return y;
    }

    static float[] oracle(WeightView w, float[] x, int tokens) {
        int rows = (int) w.rows();
        int cols = (int) w.cols();
        float[] out = new float[tokens * rows];
        for (int t = 0; t < tokens; t++) {
            Quantized q = quantize(x, t * cols, cols);
            for (int r = 0; r < rows; r++) {
                out[t * rows + r] = oracleDot(w.data(), r * w.rowBytes(), q);
            }
        }
        return out;
    }

    @Test
    void quantizesAsLlamaCpp() {
        float[] x = new float[64];
        for (int j = 0; j < 32; j++) {
            x[j] = (j - 16) * 0.25f; // amax 4: id = 31.75, so 0.25 * k * 31.75 = 7.9375 k
        }
        x[40] = -1e-3f; // the second block's only non-zero value: it maps to -127
        HostTensor t = HostTensor.allocate(1, 64);
        t.writeRow(0, x, 0);
        Q8Activations a = new Q8Activations();
        a.quantize(t);
        byte[] q = a.quants().asSlice(0, 64).toArray(ValueLayout.JAVA_BYTE);
        for (int j = 0; j < 32; j++) {
            assertEquals(Math.rint((j - 16) * 7.9375), q[j], "value " + j);
        }
        assertEquals(-127, q[40]);
        assertEquals(0, q[41]);
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(4f / 127f)), a.scales().getAtIndex(ValueLayout.JAVA_FLOAT, 0));
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            sum += q[j];
        }
        assertEquals(sum, a.sums().getAtIndex(ValueLayout.JAVA_INT, 0));
        assertEquals(-127, a.sums().getAtIndex(ValueLayout.JAVA_INT, 1));
        // amax 127 makes id = 1, so 2.5, 3.5, -2.5 are ties: they round to even, as _mm256_round_ps(_MM_ROUND_NEAREST)
        float[] ties = new float[32];
        ties[0] = 127f;
        ties[1] = 2.5f;
        ties[2] = 3.5f;
        ties[3] = -2.5f;
        t.writeRow(0, Arrays.copyOf(ties, 64), 0);
        a.quantize(t);
        assertArrayEquals(new byte[] {127, 2, 4, -2}, a.quants().asSlice(0, 4).toArray(ValueLayout.JAVA_BYTE));
    }

    /**
     * On llama.cpp's own test tensor (quant-source.f32 and the Q8_0 bytes llama-quantize made of it) our
     * quantizer gives the same scales and quants for all 2048 values (llama-quantize's reference rounding differs
     * from the x86 activation path only at exact ties, which this tensor does not have).
     */
    @Test
    void matchesLlamaQuantizeOnItsTestTensor() throws IOException {
        float[] src = floats(Files.readAllBytes(SharedModels.file("reference/quant-source.f32")));
        byte[] gguf = Files.readAllBytes(SharedModels.file("reference/quant-Q8_0.gguf"));
        ByteBuffer blocks = ByteBuffer.wrap(gguf, 128, 8 * 272).order(ByteOrder.LITTLE_ENDIAN);
        HostTensor t = HostTensor.allocate(8, 256);
        for (int r = 0; r < 8; r++) {
            t.writeRow(r, src, 256 * r);
        }
        Q8Activations a = new Q8Activations();
        a.quantize(t);
        for (int b = 0; b < 64; b++) {
            short d = blocks.getShort(128 + 34 * b);
            assertEquals(Float.float16ToFloat(d), a.scales().getAtIndex(ValueLayout.JAVA_FLOAT, b), "scale " + b);
            for (int j = 0; j < 32; j++) {
                assertEquals(gguf[128 + 34 * b + 2 + j], a.quants().get(ValueLayout.JAVA_BYTE, 32L * b + j),
                        "block " + b + " value " + j);
            }
        }
    }

    private static float[] floats(byte[] bytes) {
        float[] f = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    /** Both kernels equal the oracle bit for bit: block counts below, at and past 16, one token and many. */
    @ParameterizedTest
    @EnumSource(value = Q8Path.class, names = {"INT8", "INT8_NATIVE"})
    void kernelsMatchTheOracleBitForBit(Q8Path path) {
        if (path == Q8Path.INT8_NATIVE) {
            assumeNative();
        }
        try (CpuBackend cpu = new CpuBackend(2, path, true)) {
            assertEquals(path, cpu.q8Path());
            int seed = 0;
            for (int blocks : new int[] {1, 3, 15, 16, 17, 33, 64}) {
                for (int tokens : new int[] {1, 2, 9, 17}) {
                    int cols = 32 * blocks;
                    int rows = 37;
                    WeightView w = TestWeights.random(GgmlType.Q8_0, rows, cols, ++seed);
                    float[] x = TestWeights.gaussian(tokens * cols, 1000 + seed);
                    float[] want = oracle(w, x, tokens);
                    float[] got = CpuMatmulTest.matmul(cpu, w, x, tokens);
                    assertArrayEquals(want, got, path + ": " + blocks + " blocks, " + tokens + " tokens");
                }
            }
        }
    }

    /** A large product, split across workers, equal to the oracle (the C kernel's prefetch, row blocks, tiles). */
    @ParameterizedTest
    @EnumSource(value = Q8Path.class, names = {"INT8", "INT8_NATIVE"})
    void largeSplitProductMatchesTheOracle(Q8Path path) {
        if (path == Q8Path.INT8_NATIVE) {
            assumeNative();
        }
        try (CpuBackend cpu = new CpuBackend(3, path, true)) {
            WeightView w = TestWeights.random(GgmlType.Q8_0, 301, 2048, 5);
            for (int tokens : new int[] {11, 40}) { // below and above the native kernel's packed threshold
                float[] x = TestWeights.gaussian(tokens * 2048, 6);
                assertArrayEquals(oracle(w, x, tokens), CpuMatmulTest.matmul(cpu, w, x, tokens), tokens + " tokens");
            }
        }
    }

    /** Where the native kernel is in the build and the CPU has AVX-512 VNNI, it must load. */
    @Test
    void nativeKernelLoadsWhereItCan() {
        assumeTrue(NativeQ8Kernel.packaged(), "built without gcc: no native kernel to load");
        assumeTrue(cpuHasVnni(), "CPU without AVX-512 VNNI");
        assertTrue(NativeQ8Kernel.available(), NativeQ8Kernel.status());
        try (CpuBackend cpu = new CpuBackend(1, Q8Path.INT8_NATIVE)) {
            assertEquals("cpu: 1 threads, Q8_0 8-bit activations, native AVX-512 VNNI", cpu.description());
            assertEquals(Q8Path.INT8_NATIVE, cpu.q8Path());
        }
    }

    /**
     * Against the float reference: rounding activation block b to 8 bits moves each value by at most
     * {@code d_b / 2}, so the error is below {@code sum_b d_b / 2 * sum_j |w_bj|} (plus float rounding).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void staysWithinTheActivationRoundingOfTheFloatReference(int tokens) {
        int rows = 40;
        int cols = 32 * 20;
        WeightView w = TestWeights.random(GgmlType.Q8_0, rows, cols, 77);
        float[] x = TestWeights.gaussian(tokens * cols, 78);
        float[] got;
        try (CpuBackend cpu = new CpuBackend(2)) {
            got = CpuMatmulTest.matmul(cpu, w, x, tokens);
        }
        float[] want;
        try (ReferenceBackend ref = new ReferenceBackend()) {
            want = CpuMatmulTest.matmul(ref, w, x, tokens);
        }
        float[] wf = WeightFormat.of(GgmlType.Q8_0).dequantize(w.data(), 0, rows * cols);
        for (int t = 0; t < tokens; t++) {
            Quantized q = quantize(x, t * cols, cols);
            for (int r = 0; r < rows; r++) {
                double bound = 0;
                for (int b = 0; b < cols / 32; b++) {
                    double absW = 0;
                    for (int j = 0; j < 32; j++) {
                        absW += Math.abs(wf[r * cols + 32 * b + j]);
                    }
                    bound += q.d()[b] / 2 * absW * 1.001 + 1e-6 * absW;
                }
                double err = Math.abs(got[t * rows + r] - want[t * rows + r]);
                assertTrue(err <= bound, "t=%d r=%d: error %g above %g".formatted(t, r, err, bound));
            }
        }
    }

    static void assumeNative() {
        assumeTrue(NativeQ8Kernel.packaged(), "built without gcc: no native kernel");
        assumeTrue(NativeQ8Kernel.available(), NativeQ8Kernel.status());
    }

    private static boolean cpuHasVnni() {
        try {
            return Files.readString(java.nio.file.Path.of("/proc/cpuinfo")).contains(" avx512_vnni");
        } catch (IOException e) {
            return false;
        }
    }
}
