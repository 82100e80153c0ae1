package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operations of Gemma, Qwen2 and YaRN models on the device against the scalar reference: scale and addRow are
 * exact (one float operation each); softcap allows 2e-6 relative L2 error per row (CUDA's tanhf against Java's);
 * geluMul 1e-4 (both round the input and the GELU to f16, as ggml, and a 1-ulp tanh difference can move a value
 * across an f16 rounding boundary: about 1e-3 on that one value); rope with a magnitude scale 2e-6 as plain rope.
 */
class CudaExtraOpsParityTest {
    private final Random rnd = new Random();

    @Test
    void scaleIsExactInPlace() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        float[] x = gaussian(rnd, 3 * 1001, 2.0);
        Tensor g = tensor(gpu, 3, 1001, x);
        Tensor r = tensor(ref, 3, 1001, x);
        gpu.scale(g, 45.254833f, g);
        ref.scale(r, 45.254833f, r);
        assertArrayEquals(download(ref, r), download(gpu, g));
    }

    @Test
    void addRowIsExact() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 5;
        int cols = 896;
        float[] x = gaussian(rnd, rows * cols, 1.0);
        float[] bias = gaussian(rnd, cols, 1.0);
        Tensor outGpu = gpu.allocate(rows, cols);
        Tensor outRef = ref.allocate(rows, cols);
        gpu.addRow(tensor(gpu, rows, cols, x), tensor(gpu, 1, cols, bias), outGpu);
        ref.addRow(tensor(ref, rows, cols, x), tensor(ref, 1, cols, bias), outRef);
        assertArrayEquals(download(ref, outRef), download(gpu, outGpu));
    }

    @ParameterizedTest
    @ValueSource(floats = {30f, 50f, 2.5f})
    void softcapMatches(float cap) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        float[] x = gaussian(rnd, 4 * 2000, 40.0);
        Tensor g = tensor(gpu, 4, 2000, x);
        Tensor r = tensor(ref, 4, 2000, x);
        gpu.softcap(g, cap, g);
        ref.softcap(r, cap, r);
        assertRowsClose(download(ref, r), download(gpu, g), 2000, 2e-6, "softcap " + cap);
    }

    @Test
    void geluMulMatches() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 3;
        int cols = 2048;
        float[] gate = gaussian(rnd, rows * cols, 4.0);  // reaches past +-10, where GELU is 0 or x
        float[] up = gaussian(rnd, rows * cols, 1.0);
        Tensor gGpu = tensor(gpu, rows, cols, gate);
        Tensor gRef = tensor(ref, rows, cols, gate);
        gpu.geluMul(gGpu, tensor(gpu, rows, cols, up), gGpu);
        ref.geluMul(gRef, tensor(ref, rows, cols, up), gRef);
        assertRowsClose(download(ref, gRef), download(gpu, gGpu), cols, 1e-4, "geluMul");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void ropeWithMagnitudeScaleMatches(boolean neox) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int heads = 4;
        int headDim = 128;
        float[] freqs = RopeConfig.standardFrequencies(128, 1000000f, 0.25f);
        RopeConfig rope = new RopeConfig(128, 1000000f, 0.25f, neox, freqs, 1.1386294f);
        int n = 7;
        int first = 20000;  // positions 20000 .. 20006 of one sequence, slot = position
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = first + i;
        }
        int blocks = (first + n + 15) / 16;
        int[] table = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            table[b] = b;
        }
        AttentionMetadata m = new AttentionMetadata(positions, new int[] {0, n}, new int[] {first + n}, table, blocks,
                positions.clone(), 16);
        float[] x = gaussian(rnd, n * heads * headDim, 1.0);
        Tensor xGpu = tensor(gpu, n, heads * headDim, x);
        Tensor xRef = tensor(ref, n, heads * headDim, x);
        gpu.rope(xGpu, heads, headDim, rope, gpu.prepareStep(new int[n], m));
        ref.rope(xRef, heads, headDim, rope, ref.prepareStep(new int[n], m));
        assertRowsClose(download(ref, xRef), download(gpu, xGpu), heads * headDim, 2e-6, "rope " + rope);
    }
}
