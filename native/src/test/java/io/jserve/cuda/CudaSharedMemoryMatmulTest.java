package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shared-memory 64-token kernels ({@code mm_f16_n8s}, {@code mm_bf16_n8s}, {@code -Djserve.cuda.mm64=smem}) give
 * the register-fed kernels' bits on the device, for 33 to 200 tokens and shapes that split K and that do not. The
 * emulator checks the same on every machine ({@link EmulatedMatmulTest}).
 */
class CudaSharedMemoryMatmulTest {
    private final Random rnd = new Random();

    @ParameterizedTest(name = "{0} [{1} x {2}]")
    @CsvSource({"F16, 4096, 4096", "F16, 1024, 4096", "F16, 300, 1000", "BF16, 14336, 4096", "BF16, 200, 512"})
    void sameBitsAsTheRegisterFedKernel(GgmlType type, int rows, int cols) {
        CudaBackend gpu = CudaTestSupport.cuda();
        if ((long) rows * cols > 2_000_000) {
            CudaTestSupport.skipOnTheEmulator("a %d x %d weight".formatted(rows, cols));
        }
        DeviceWeight w = DeviceWeight.of(gpu.load(RandomWeights.create("w", type, rows, cols, rnd)));
        MatmulLauncher registers = new MatmulLauncher(gpu.context(), false);
        MatmulLauncher smem = new MatmulLauncher(gpu.context(), true);
        for (int tokens : new int[] {33, 64, 200}) {
            DeviceTensor x = DeviceTensor.of(tensor(gpu, tokens, cols, gaussian(rnd, tokens * cols, 1.0)));
            Tensor a = gpu.allocate(tokens, rows);
            Tensor b = gpu.allocate(tokens, rows);
            registers.matmul(w, x, DeviceTensor.of(a));
            smem.matmul(w, x, DeviceTensor.of(b));
            assertArrayEquals(download(gpu, a), download(gpu, b), "%s with %d tokens".formatted(type, tokens));
        }
    }
}
