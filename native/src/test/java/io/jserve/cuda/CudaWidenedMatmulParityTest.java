package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import java.lang.foreign.Arena;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Weights of the types the device widens to F16 at load (Q2_K, Q3_K, Q5_K, Q4_1, Q5_0, Q5_1, IQ4_NL) on the device. An
 * embedding lookup returns exactly the reference's values rounded to f16 (the widening's only rounding); a matrix
 * product is within 2e-3 relative L2 error per output row of the reference (exact values, double sums), the F16
 * tolerance: the f16 rounding of weights and of activations adds about 5e-4.
 */
class CudaWidenedMatmulParityTest {
    private final Random rnd = new Random();

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q5_K", "Q3_K", "Q2_K", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL"})
    void embedReturnsTheExactValuesRoundedToHalf(GgmlType type) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        WeightView table = RandomWeights.create("tok_embd", type, 70, 512, rnd);
        int[] ids = {0, 69, 17, 17, 33};
        float[] expected = CudaTestSupport.embed(ref, table, ids);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = Float.float16ToFloat(Float.floatToFloat16(expected[i]));
        }
        assertArrayEquals(expected, CudaTestSupport.embed(gpu, table, ids));
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q5_K", "IQ4_NL", "Q5_0"})
    void matmulMatchesReference(GgmlType type) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        int rows = 300;
        int cols = 1536;
        WeightView view = RandomWeights.create("blk.0.ffn_down.weight", type, rows, cols, rnd);
        var wGpu = gpu.load(view);
        var wRef = ref.load(view);
        assertEquals(type, wGpu.type(), "the weight keeps its file type");
        for (int tokens : new int[] {1, 9, 40}) {
            float[] x = gaussian(rnd, tokens * cols, 1.0);
            Tensor outGpu = gpu.allocate(tokens, rows);
            Tensor outRef = ref.allocate(tokens, rows);
            gpu.matmul(wGpu, tensor(gpu, tokens, cols, x), outGpu);
            ref.matmul(wRef, tensor(ref, tokens, cols, x), outRef);
            assertRowsClose(download(ref, outRef), download(gpu, outGpu), rows, 2e-3,
                    "%s [%d x %d] with %d tokens".formatted(type, rows, cols, tokens));
        }
    }

    @Test
    void aTypeWithNoDecoderFailsNamingTheTensor() {
        ComputeBackend gpu = CudaTestSupport.cuda();
        WeightView view = new WeightView("blk.3.attn_q.weight", GgmlType.Q8_K, 2, 256,
                Arena.ofAuto().allocate(2 * GgmlType.Q8_K.bytesFor(256)));
        var e = assertThrows(UnsupportedOperationException.class, () -> gpu.load(view));
        assertTrue(e.getMessage().contains("blk.3.attn_q.weight") && e.getMessage().contains("Q8_K"), e.getMessage());
    }
}
