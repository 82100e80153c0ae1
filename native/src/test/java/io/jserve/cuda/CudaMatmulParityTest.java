package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;

import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Matrix products on the GPU against the scalar reference (double sums), per weight type, on fresh random
 * inputs. Shapes include rows that are not a multiple of the 16-row tile, rows whose length is not a multiple
 * of the kernels' 64-byte unit (padding), and enough columns for every warp to walk several units.
 *
 * <p>Tolerances (relative L2 error per output row): F32 1e-5 (fp32 sums in another order); F16, Q8_0 and Q4_0
 * 2e-3 (activations rounded to f16: about 3e-4 expected); BF16 1e-2 (activations rounded to bf16: about 1e-3).
 */
class CudaMatmulParityTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(GgmlType.F32, 19, 172, 1e-5),
                Arguments.of(GgmlType.F32, 256, 1024, 1e-5),
                Arguments.of(GgmlType.F16, 37, 172, 2e-3),
                Arguments.of(GgmlType.F16, 300, 2048, 2e-3),
                Arguments.of(GgmlType.BF16, 37, 100, 1e-2),
                Arguments.of(GgmlType.BF16, 130, 1024, 1e-2),
                Arguments.of(GgmlType.Q8_0, 45, 96, 2e-3),
                Arguments.of(GgmlType.Q8_0, 300, 2048, 2e-3),
                Arguments.of(GgmlType.Q4_0, 45, 160, 2e-3),
                Arguments.of(GgmlType.Q4_0, 300, 2048, 2e-3));
    }

    @ParameterizedTest(name = "{0} [{1} x {2}]")
    @MethodSource("cases")
    void matchesReference(GgmlType type, int rows, int cols, double tol) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        Random rnd = new Random();
        WeightView view = RandomWeights.create("w", type, rows, cols, rnd);
        var wGpu = gpu.load(view);
        var wRef = ref.load(view);
        for (int tokens : new int[] {1, 7, 19, 40}) {
            float[] x = gaussian(rnd, tokens * cols, 1.0);
            Tensor outGpu = gpu.allocate(tokens, rows);
            Tensor outRef = ref.allocate(tokens, rows);
            gpu.matmul(wGpu, tensor(gpu, tokens, cols, x), outGpu);
            ref.matmul(wRef, tensor(ref, tokens, cols, x), outRef);
            assertRowsClose(download(ref, outRef), download(gpu, outGpu), rows, tol,
                    "%s [%d x %d] with %d tokens".formatted(type, rows, cols, tokens));
        }
    }
}
