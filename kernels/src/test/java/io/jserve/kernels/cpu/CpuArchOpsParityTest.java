package io.jserve.kernels.cpu;

import io.jserve.kernels.Activations;
import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.TestSteps;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.jserve.kernels.cpu.CpuParityTest.assertClose;
import static io.jserve.kernels.cpu.CpuParityTest.attentionOn;
import static io.jserve.kernels.cpu.CpuParityTest.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The operations other architectures add to Llama's (scale, bias rows, soft-cap, gated GELU, RoPE with given
 * frequencies and a magnitude scale, attention with a sliding window and a score soft-cap): CPU against the
 * reference, and each against its definition on small inputs.
 */
class CpuArchOpsParityTest {
    static CpuBackend cpu;
    static ReferenceBackend reference;

    @BeforeAll
    static void open() {
        cpu = new CpuBackend(2);
        reference = new ReferenceBackend();
    }

    @AfterAll
    static void close() {
        cpu.close();
        reference.close();
    }

    /** One float operation (or one Activations call) per value: bit-identical, including the split across threads. */
    @Test
    void elementwiseOpsAreBitIdentical() {
        int rows = 40;
        int cols = 2000 + 5; // large enough to split across workers, with a vector tail
        float[] a = TestWeights.gaussian(rows * cols, 11);
        float[] c = TestWeights.gaussian(rows * cols, 12);
        for (int i = 0; i < a.length; i += 97) {
            a[i] *= 8; // reach both GELU cut-offs (|x| >= 10)
        }
        float[] bias = TestWeights.gaussian(cols, 13);
        for (String op : new String[] {"scale", "addRow", "softcap", "geluMul"}) {
            assertArrayEquals(apply(reference, op, a, c, bias, rows, cols), apply(cpu, op, a, c, bias, rows, cols), op);
        }
    }

    static float[] apply(ComputeBackend b, String op, float[] a, float[] c, float[] bias, int rows, int cols) {
        Tensor x = tensor(b, a, rows, cols);
        switch (op) {
            case "scale" -> b.scale(x, 8f, x);
            case "addRow" -> b.addRow(x, tensor(b, bias, 1, cols), x);
            case "softcap" -> b.softcap(x, 5f, x);
            case "geluMul" -> b.geluMul(x, tensor(b, c, rows, cols), x);
            default -> throw new IllegalArgumentException(op);
        }
        return ((HostTensor) x).toArray();
    }

    /** Each op on a handful of values against its definition. */
    @Test
    void elementwiseOpsFollowTheirDefinitions() {
        float[] x = {1f, -2f, 0.5f, 12f, -11f, 3f};
        float[] up = {2f, 3f, 4f, 0.5f, 7f, 1f};
        for (ComputeBackend b : new ComputeBackend[] {cpu, reference}) {
            assertArrayEquals(new float[] {8f, -16f, 4f, 96f, -88f, 24f}, apply(b, "scale", x, up, null, 2, 3));
            assertArrayEquals(new float[] {1.5f, -1f, 0.75f, 12.5f, -10f, 3.25f},
                    apply(b, "addRow", x, up, new float[] {0.5f, 1f, 0.25f}, 2, 3));
            float[] capped = apply(b, "softcap", x, up, null, 2, 3);
            for (int i = 0; i < x.length; i++) {
                assertEquals(5.0 * Math.tanh(x[i] / 5.0), capped[i], 1e-6, "softcap " + x[i]);
            }
            // gelu: fp16-rounded tanh approximation inside (-10, 10), 0 below, identity above
            float[] gelu = apply(b, "geluMul", x, up, null, 2, 3);
            assertEquals(0.84130859375f * 2f, gelu[0]); // fp16 of 0.841192 (gelu(1)), times 2
            assertEquals(6f, gelu[3]);                  // 12 >= 10: x * up
            assertEquals(0f, gelu[4]);                  // -11 <= -10: 0
            assertEquals(-0.0454f * 3f, gelu[1], 2e-4); // gelu(-2) = -0.04540
        }
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(Activations.geluTanh(0.5f))), Activations.gelu(0.5f));
    }

    /** Given frequencies and a magnitude scale: the same float operations, bit-identical; scale 1 changes nothing. */
    @Test
    void ropeWithGivenFrequenciesAndMagnitude() {
        int heads = 2;
        int headDim = 8;
        AttentionMetadata m = new TestSteps(4).seq(new int[] {3, 1, 2}, 2, 7).build();
        float[] freqs = {1f, 0.3f, 0.01f, 0.002f};
        float[] x = TestWeights.gaussian(m.numTokens() * heads * headDim, 21);
        RopeConfig scaled = new RopeConfig(8, 10000f, 0.25f, true, freqs, 1.2f);
        RopeConfig unit = new RopeConfig(8, 10000f, 0.25f, true, freqs, 1f);
        float[] got = rope(cpu, x, m, heads, headDim, scaled);
        assertArrayEquals(rope(reference, x, m, heads, headDim, scaled), got);
        float[] plain = rope(cpu, x, m, heads, headDim, unit);
        // first token, position 2, pair 0 of head 0 (NeoX: dims 0 and 4), angle 2 * 1.0
        double cos = Math.cos(2.0);
        double sin = Math.sin(2.0);
        assertEquals(x[0] * cos - x[4] * sin, plain[0], 1e-5);
        assertEquals(1.2 * plain[0], got[0], 1e-5);
        assertEquals(new RopeConfig(8, 10000f, 1f, false),
                new RopeConfig(8, 10000f, 1f, false, RopeConfig.standardFrequencies(8, 10000f, 1f), 1f));
    }

    private static float[] rope(ComputeBackend b, float[] x, AttentionMetadata m, int heads, int headDim,
                                RopeConfig rope) {
        Tensor t = tensor(b, x, m.numTokens(), heads * headDim);
        b.rope(t, heads, headDim, rope, b.prepareStep(new int[m.numTokens()], m));
        return ((HostTensor) t).toArray();
    }

    /**
     * Sliding window and soft-cap on the chunked, paged layout of {@link CpuParityTest#attention}: CPU within
     * 1e-5 of the reference; a window of 1 returns each token's own value exactly; a window as long as the
     * context is plain causal attention, bit for bit.
     */
    @ParameterizedTest
    @CsvSource({"3, 0", "1, 0", "0, 2", "5, 1.5", "16, 0"})
    void attentionWithWindowAndSoftcap(int window, float softcap) {
        int headDim = 16;
        KvCacheShape shape = new KvCacheShape(2, 16, 4, 2, headDim);
        AttentionConfig config = new AttentionConfig(6, 2, headDim, 0.25f, softcap, window);
        AttentionMetadata earlier = new TestSteps(4).seq(new int[] {11, 3, 7}, 0, 6).seq(new int[] {5, 0, 14}, 0, 9)
                .build();
        AttentionMetadata now = new TestSteps(4).seq(new int[] {11, 3, 7}, 6, 5).seq(new int[] {5, 0, 14}, 9, 1)
                .seq(new int[] {9}, 0, 3).build();
        float[] got = attentionOn(cpu, shape, config, earlier, now);
        assertClose(got, attentionOn(reference, shape, config, earlier, now), 1e-5, "attention " + config);
        if (window == 16) {
            AttentionConfig plain = new AttentionConfig(6, 2, headDim, 0.25f);
            assertArrayEquals(attentionOn(cpu, shape, plain, earlier, now), got);
        }
        if (window == 1) {
            assertArrayEquals(ownValues(cpu, shape, earlier, now), got);
        }
    }

    /** What a window of 1 must return: each token's own value, for each of its query heads (3 per KV head). */
    private static float[] ownValues(ComputeBackend b, KvCacheShape shape, AttentionMetadata earlier,
                                     AttentionMetadata now) {
        // attentionOn stores K then V for layers 0 and 1 per step with seeds 50, 51, ...; the second step's layer-1
        // values are seed 50 + 7
        int kvDim = shape.kvDim();
        float[] v = TestWeights.gaussian(now.numTokens() * kvDim, 57);
        int d = shape.headDim();
        float[] out = new float[now.numTokens() * 6 * d];
        for (int t = 0; t < now.numTokens(); t++) {
            for (int h = 0; h < 6; h++) {
                System.arraycopy(v, t * kvDim + (h / 3) * d, out, (t * 6 + h) * d, d);
            }
        }
        return out;
    }

    @Test
    void attentionConfigValidatesAndKeepsTheFourArgumentForm() {
        AttentionConfig plain = new AttentionConfig(4, 2, 16, 0.25f);
        assertEquals(new AttentionConfig(4, 2, 16, 0.25f, 0f, 0), plain);
        assertEquals(true, plain.isPlainCausal());
        assertEquals(0, plain.firstVisible(100));
        AttentionConfig swa = new AttentionConfig(4, 2, 16, 0.25f, 5f, 8);
        assertEquals(93, swa.firstVisible(100)); // 100 - 93 = 7 < 8, 100 - 92 = 8 is masked
        assertEquals(0, swa.firstVisible(3));
        assertEquals(Activations.softcap(7f, 5f), swa.capScore(7f));
        assertEquals(7f, plain.capScore(7f));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AttentionConfig(4, 2, 16, 0.25f, -1f, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new AttentionConfig(4, 2, 16, 0.25f, 0f, -2));
    }
}
