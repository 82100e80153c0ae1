package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.tensor;

import io.jserve.kernels.LogitSummary;
import io.jserve.kernels.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The device's logit summaries against the host's definition, on {@link SummaryCases}. */
class CudaSummaryParityTest {

    @ParameterizedTest(name = "{0} rows x {1}, k {2}, {3}")
    @MethodSource("io.jserve.cuda.SummaryCases#cases")
    void matchesTheHost(int rows, int cols, int k, String kind) {
        CudaBackend gpu = CudaTestSupport.cuda();
        float[] x = SummaryCases.values(rows, cols, kind);
        Tensor t = tensor(gpu, rows, cols, x);
        LogitSummary device = SummaryCases.requested(k, rows, cols);
        gpu.summarizeOnDevice(t, device);
        SummaryCases.assertMatchesHost(x, device);
        gpu.release(t);
    }
}
