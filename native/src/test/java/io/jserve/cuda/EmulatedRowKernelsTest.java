package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.reference.ReferenceBackend;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * elementwise.cu's residual step on the CPU emulator ({@link KernelEmulator}): {@code add_rms_norm} gives
 * bit-identical values to {@code add} then {@code rms_norm} launched as the backend launches them, and both are
 * within rmsNorm's device tolerance (2e-6 relative per row) of the scalar reference.
 */
class EmulatedRowKernelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} rows x {1}")
    @CsvSource({"1, 2048", "5, 4096", "3, 896", "7, 100"})
    void addRmsNormIsAddThenRmsNormExactly(int rows, int cols) throws IOException {
        Path exe = KernelEmulator.driver("rows");
        Random rnd = new Random(rows * 7919L + cols);
        float[] x = gaussian(rnd, rows * cols, 3.0);
        float[] delta = gaussian(rnd, rows * cols, 1.0);
        WeightView norm = RandomWeights.create("norm", GgmlType.F32, 1, cols, rnd);
        float[] w = new float[cols];
        norm.data().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(w);
        float eps = 1e-5f;

        ByteBuffer in = ByteBuffer.allocate(16 + 4 * (2 * x.length + cols)).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(rows).putInt(cols).putInt(CudaBackend.rowThreads(cols)).putFloat(eps);
        for (float[] a : new float[][] {x, delta, w}) {
            for (float v : a) {
                in.putFloat(v);
            }
        }
        Path input = dir.resolve("in.bin");
        Files.write(input, in.array());
        float[][] fused = run(exe, "fused", input, rows * cols);
        float[][] separate = run(exe, "separate", input, rows * cols);
        assertArrayEquals(separate[0], fused[0], "x after the residual add");
        assertArrayEquals(separate[1], fused[1], "the normed rows");

        try (ComputeBackend ref = new ReferenceBackend()) {
            Tensor rx = CudaTestSupport.tensor(ref, rows, cols, x);
            Tensor out = ref.allocate(rows, cols);
            ref.addRmsNorm(rx, CudaTestSupport.tensor(ref, rows, cols, delta), ref.load(norm), eps, out);
            assertRowsClose(CudaTestSupport.download(ref, rx), fused[0], cols, 0, "x");
            assertRowsClose(CudaTestSupport.download(ref, out), fused[1], cols, 2e-6, "addRmsNorm");
        }
    }

    /** x afterwards and out, from one run of the driver. */
    private float[][] run(Path exe, String mode, Path input, int n) throws IOException {
        Path output = dir.resolve(mode + ".bin");
        KernelEmulator.runDriver(exe, n, mode, input.toString(), output.toString());
        ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[n];
        float[] normed = new float[n];
        out.asFloatBuffer().get(x).get(normed);
        return new float[][] {x, normed};
    }
}
