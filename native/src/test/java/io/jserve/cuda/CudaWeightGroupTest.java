package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;

import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Weights loaded as a group (q, k and v as one device matrix) against the scalar reference: the group's product
 * split into its outputs, and each part multiplied alone, at 1, 9 and 40 tokens; groups the device cannot store as
 * one (a part-tile before the last part, a type widened on the host) are loaded apart and give the same products.
 * Tolerance as the format's matmul parity: 2e-3 relative per row (f16 activations), 1e-5 for the K-quants.
 */
class CudaWeightGroupTest {
    private final Random rnd = new Random();

    @ParameterizedTest(name = "{0}: {1} + {2} + {3} rows of {4}")
    @CsvSource({"F16, 256, 64, 64, 512", "Q8_0, 128, 32, 32, 1024", "Q4_0, 64, 16, 16, 512", "Q4_K, 64, 20, 20, 512",
            "F16, 64, 20, 16, 512", "Q5_K, 64, 16, 16, 512"})
    void groupProductsMatchTheReference(GgmlType type, int q, int k, int v, int cols) {
        ComputeBackend gpu = CudaTestSupport.cuda();
        ComputeBackend ref = CudaTestSupport.reference();
        List<WeightView> views = List.of(RandomWeights.create("q", type, q, cols, rnd),
                RandomWeights.create("k", type, k, cols, rnd), RandomWeights.create("v", type, v, cols, rnd));
        List<Weight> wGpu = gpu.loadGroup(views);
        List<Weight> wRef = ref.loadGroup(views);
        double tol = type == GgmlType.Q4_K ? 1e-5 : 2e-3;  // Q4_K: fp32 activations (kquant.cu)
        for (int tokens : new int[] {1, 9, 40}) {
            float[] x = gaussian(rnd, tokens * cols, 1.0);
            List<Tensor> outGpu = new ArrayList<>();
            List<Tensor> outRef = new ArrayList<>();
            for (WeightView view : views) {
                outGpu.add(gpu.allocate(tokens, (int) view.rows()));
                outRef.add(ref.allocate(tokens, (int) view.rows()));
            }
            gpu.matmulGroup(wGpu, tensor(gpu, tokens, cols, x), outGpu);
            ref.matmulGroup(wRef, tensor(ref, tokens, cols, x), outRef);
            for (int i = 0; i < views.size(); i++) {
                int rows = (int) views.get(i).rows();
                float[] expected = download(ref, outRef.get(i));
                assertRowsClose(expected, download(gpu, outGpu.get(i)), rows, tol,
                        "%s group part %d, %d tokens".formatted(type, i, tokens));
                Tensor alone = gpu.allocate(tokens, rows);
                gpu.matmul(wGpu.get(i), tensor(gpu, tokens, cols, x), alone);
                assertRowsClose(expected, download(gpu, alone), rows, tol,
                        "%s part %d alone, %d tokens".formatted(type, i, tokens));
            }
        }
    }
}
