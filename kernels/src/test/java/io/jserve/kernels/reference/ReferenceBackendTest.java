package io.jserve.kernels.reference;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.TestSteps;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.host.HostTensor;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The oracle itself, on inputs small enough to work out by hand. */
class ReferenceBackendTest {
    final ReferenceBackend b = new ReferenceBackend();

    @Test
    void matmulOfAQ8_0Block() {
        MemorySegment data = MemorySegment.ofArray(new byte[34]);
        data.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, Float.floatToFloat16(0.5f));
        for (int j = 0; j < 32; j++) {
            data.set(ValueLayout.JAVA_BYTE, 2 + j, (byte) (j - 16));
        }
        Tensor x = tensor(new float[32 * 2], 2, 32);
        ((HostTensor) x).set(0, 20, 1f); // q = 4 -> 2.0
        ((HostTensor) x).set(1, 0, 3f); // q = -16 -> -8.0, times 3
        ((HostTensor) x).set(1, 31, 1f); // q = 15 -> 7.5
        Tensor out = b.allocate(2, 1);
        b.matmul(b.load(new WeightView("w", GgmlType.Q8_0, 1, 32, data)), x, out);
        assertArrayEquals(new float[] {2.0f, -24f + 7.5f}, ((HostTensor) out).toArray());
    }

    @Test
    void rmsNormScalesByTheRootMeanSquare() {
        Tensor x = tensor(new float[] {3, 4}, 1, 2);
        Tensor out = b.allocate(1, 2);
        b.rmsNorm(x, b.load(f32(1, 2)), 0f, out); // rms = sqrt(12.5); weights 1, 2
        assertArrayEquals(new float[] {0.84852815f, 2.2627418f}, ((HostTensor) out).toArray(), 1e-6f);
    }

    @Test
    void ropeRotatesAdjacentPairsOrHalves() {
        AttentionMetadata m = new TestSteps(4).seq(new int[] {0}, 1, 1).build(); // one token at position 1
        StepInputs step = b.prepareStep(new int[1], m);
        Tensor normal = tensor(new float[] {1, 0, 1, 0}, 1, 4);
        b.rope(normal, 1, 4, new RopeConfig(2, 10000f, 1f, false), step); // only dims 0, 1 rotate, by 1 radian
        assertArrayEquals(new float[] {0.5403023f, 0.84147096f, 1, 0}, ((HostTensor) normal).toArray(), 1e-7f);
        Tensor neox = tensor(new float[] {1, 1, 0, 0}, 1, 4);
        b.rope(neox, 1, 4, new RopeConfig(4, 10000f, 1f, true), step); // pairs (0, 2) by 1, (1, 3) by 0.01
        assertArrayEquals(new float[] {0.5403023f, (float) Math.cos(0.01), 0.84147096f, (float) Math.sin(0.01)},
                ((HostTensor) neox).toArray(), 1e-7f);
    }

    @Test
    void attentionIsCausalAndAveragesEqualScores() {
        KvCacheShape shape = new KvCacheShape(1, 2, 2, 1, 2);
        AttentionMetadata m = new TestSteps(2).seq(new int[] {1}, 0, 2).build(); // slots 2 and 3
        StepInputs step = b.prepareStep(new int[2], m);
        try (KvCacheStorage kv = b.allocateKvCache(shape)) {
            Tensor k = tensor(new float[] {1, 0, 1, 0}, 2, 2); // equal keys: equal scores
            Tensor v = tensor(new float[] {2, 4, 6, 8}, 2, 2);
            b.storeKv(kv, 0, k, v, step);
            Tensor q = tensor(new float[] {1, 1, 1, 1, 3, 3, 3, 3}, 2, 4); // 2 query heads share the KV head
            Tensor out = b.allocate(2, 4);
            b.attention(kv, 0, q, step, new AttentionConfig(2, 1, 2, 1f), out);
            // position 0 sees only itself; position 1 averages both values
            assertArrayEquals(new float[] {2, 4, 2, 4, 4, 6, 4, 6}, ((HostTensor) out).toArray());
        }
    }

    @Test
    void siluMulAndAdd() {
        Tensor g = tensor(new float[] {0, 2}, 1, 2);
        Tensor u = tensor(new float[] {5, 3}, 1, 2);
        Tensor out = b.allocate(1, 2);
        b.siluMul(g, u, out);
        assertEquals(0f, ((HostTensor) out).get(0, 0));
        assertEquals(2f / (1f + (float) Math.exp(-2)) * 3f, ((HostTensor) out).get(0, 1));
        b.add(g, u, u);
        assertArrayEquals(new float[] {5, 5}, ((HostTensor) u).toArray());
    }

    private Tensor tensor(float[] v, int rows, int cols) {
        Tensor t = b.allocate(rows, cols);
        b.upload(v, t);
        return t;
    }

    private static WeightView f32(float... values) {
        MemorySegment data = MemorySegment.ofArray(new byte[4 * values.length]);
        for (int i = 0; i < values.length; i++) {
            data.set(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4L * i, values[i]);
        }
        return new WeightView("f32", GgmlType.F32, 1, values.length, data);
    }
}
