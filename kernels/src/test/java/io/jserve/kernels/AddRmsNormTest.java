package io.jserve.kernels;

import io.jserve.kernels.cpu.CpuBackend;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fused residual step gives exactly add then rmsNorm on every host backend, with out aliasing delta. */
class AddRmsNormTest {

    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void isAddThenRmsNormExactly(String name) {
        int rows = 7;
        int cols = 1000;
        Random rnd = new Random(3);
        float[] x = new float[rows * cols];
        float[] delta = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian() * 3;
            delta[i] = (float) rnd.nextGaussian();
        }
        try (ComputeBackend b = name.equals("cpu") ? new CpuBackend(2) : new ReferenceBackend()) {
            Weight w = b.load(TestWeights.random(GgmlType.F32, 1, cols, 5));
            Tensor fx = tensor(b, rows, cols, x);
            Tensor fd = tensor(b, rows, cols, delta);
            b.addRmsNorm(fx, fd, w, 1e-5f, fd); // out over delta, as the model calls it
            Tensor sx = tensor(b, rows, cols, x);
            Tensor out = b.allocate(rows, cols);
            b.add(sx, tensor(b, rows, cols, delta), sx);
            b.rmsNorm(sx, w, 1e-5f, out);
            assertArrayEquals(values(b, sx), values(b, fx), "x");
            assertArrayEquals(values(b, out), values(b, fd), "normed");
            if (name.equals("cpu")) {
                assertThrows(IllegalArgumentException.class, () -> b.addRmsNorm(fx, fd, w, 1e-5f, fx));
            }
        }
    }

    private static Tensor tensor(ComputeBackend b, int rows, int cols, float[] values) {
        Tensor t = b.allocate(rows, cols);
        b.upload(values, t);
        return t;
    }

    private static float[] values(ComputeBackend b, Tensor t) {
        int[] rows = new int[t.rows()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        float[] v = new float[t.rows() * t.cols()];
        b.download(t, rows, v);
        return v;
    }
}
