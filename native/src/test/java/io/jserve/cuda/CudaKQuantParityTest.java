package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Q4_K and Q6_K kept in GGML's blocks on the device (kquant.cu) against the scalar reference: an embedding lookup
 * gives the host's dequantized values exactly; a product is within 1e-5 relative per row at 1, 9 and 40 tokens
 * (fp32 on CUDA cores, against the reference's order of additions), and a token's output row is the same bits
 * alone as among 40. The emulator runs the same kernels on every machine ({@link EmulatedKQuantKernelsTest}).
 */
class CudaKQuantParityTest {
    private final Random rnd = new Random();

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void embedReturnsTheHostsValuesExactly(GgmlType type) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        WeightView table = RandomWeights.create("tok_embd", type, 70, 512, rnd);
        int[] ids = {0, 69, 17, 17, 33};
        assertArrayEquals(CudaTestSupport.embed(ref, table, ids), CudaTestSupport.embed(gpu, table, ids));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void matmulMatchesTheReferenceAndIsBatchInvariant(GgmlType type) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 301;
        int cols = 1536;
        WeightView view = RandomWeights.create("blk.0.ffn_down.weight", type, rows, cols, rnd);
        Weight wGpu = gpu.load(view);
        Weight wRef = ref.load(view);
        assertEquals(type, wGpu.type(), "the weight keeps its file type");
        float[] x40 = null;
        float[] out40 = null;
        for (int tokens : new int[] {1, 9, 40}) {
            float[] x = gaussian(rnd, tokens * cols, 1.0);
            Tensor outGpu = gpu.allocate(tokens, rows);
            Tensor outRef = ref.allocate(tokens, rows);
            gpu.matmul(wGpu, tensor(gpu, tokens, cols, x), outGpu);
            ref.matmul(wRef, tensor(ref, tokens, cols, x), outRef);
            float[] got = download(gpu, outGpu);
            assertRowsClose(download(ref, outRef), got, rows, 1e-5,
                    "%s [%d x %d] with %d tokens".formatted(type, rows, cols, tokens));
            x40 = x;
            out40 = got;
        }
        int t = 17;
        Tensor alone = gpu.allocate(1, rows);
        gpu.matmul(wGpu, tensor(gpu, 1, cols, Arrays.copyOfRange(x40, t * cols, (t + 1) * cols)), alone);
        assertArrayEquals(Arrays.copyOfRange(out40, t * rows, (t + 1) * rows), download(gpu, alone));
    }
}
