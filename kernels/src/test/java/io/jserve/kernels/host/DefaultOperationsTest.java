package io.jserve.kernels.host;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.Weight;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The host round-trip defaults of {@link ComputeBackend}'s newer operations (scale, addRow, softcap, geluMul),
 * which a backend that does not implement them (CUDA, for now) runs: they must give the reference's bits.
 */
class DefaultOperationsTest {

    /** A host backend that keeps every default: its arithmetic is the reference's, its new operations the SPI's. */
    static final class DefaultsOnly extends HostBackend {
        private final ReferenceBackend ref = new ReferenceBackend();

        @Override
        public String name() {
            return "defaults";
        }

        @Override
        public void matmul(Weight w, Tensor x, Tensor out) {
            ref.matmul(w, x, out);
        }

        @Override
        public void rmsNorm(Tensor x, Weight w, float eps, Tensor out) {
            ref.rmsNorm(x, w, eps, out);
        }

        @Override
        public void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step) {
            ref.rope(x, numHeads, headDim, rope, step);
        }

        @Override
        public void siluMul(Tensor gate, Tensor up, Tensor out) {
            ref.siluMul(gate, up, out);
        }

        @Override
        public void add(Tensor a, Tensor b, Tensor out) {
            ref.add(a, b, out);
        }

        @Override
        public void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config,
                              Tensor out) {
            ref.attention(kv, layer, q, step, config, out);
        }

        @Override
        public void close() {
            ref.close();
        }
    }

    @Test
    void defaultsMatchTheReferenceBitForBit() {
        int rows = 7;
        int cols = 33;
        float[] a = TestWeights.gaussian(rows * cols, 31);
        float[] c = TestWeights.gaussian(rows * cols, 32);
        float[] bias = TestWeights.gaussian(cols, 33);
        try (DefaultsOnly defaults = new DefaultsOnly(); ReferenceBackend ref = new ReferenceBackend()) {
            for (String op : new String[] {"scale", "addRow", "softcap", "geluMul"}) {
                assertArrayEquals(apply(ref, op, a, c, bias, rows, cols), apply(defaults, op, a, c, bias, rows, cols),
                        op);
            }
        }
    }

    @Test
    void defaultsCheckShapes() {
        try (DefaultsOnly b = new DefaultsOnly()) {
            Tensor x = b.allocate(2, 4);
            assertThrows(IllegalArgumentException.class, () -> b.addRow(x, b.allocate(1, 3), x));
            assertThrows(IllegalArgumentException.class, () -> b.scale(x, 2f, b.allocate(2, 3)));
            assertThrows(IllegalArgumentException.class, () -> b.softcap(x, 0f, x));
        }
    }

    private static float[] apply(ComputeBackend b, String op, float[] a, float[] c, float[] bias, int rows, int cols) {
        Tensor x = b.allocate(rows, cols);
        b.upload(a, x);
        switch (op) {
            case "scale" -> b.scale(x, 8f, x);
            case "addRow" -> {
                Tensor row = b.allocate(1, cols);
                b.upload(bias, row);
                b.addRow(x, row, x);
            }
            case "softcap" -> b.softcap(x, 5f, x);
            case "geluMul" -> {
                Tensor up = b.allocate(rows, cols);
                b.upload(c, up);
                b.geluMul(x, up, x);
            }
            default -> throw new IllegalArgumentException(op);
        }
        return ((HostTensor) x).toArray();
    }
}
