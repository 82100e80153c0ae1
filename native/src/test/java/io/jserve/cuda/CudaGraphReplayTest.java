package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.download;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static io.jserve.cuda.CudaTestSupport.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Graph replay: a sequence of launches flushed twice in a row is captured once, then replayed, and the replay
 * computes exactly what direct launches computed, also on new input values (they live in device memory, not in
 * the graph). A changed launch (another token count) is not replayed from the old graph. Also checks the device
 * row gather.
 */
class CudaGraphReplayTest {
    private final Random rnd = new Random();

    @Test
    void repeatedStepsReplayOneGraphWithTheSameResults() {
        CudaBackend gpu = CudaTestSupport.cuda();
        GraphCache graphs = gpu.context().graphs();
        int dim = 256;
        Weight w = gpu.load(RandomWeights.create("w", GgmlType.F16, dim, dim, rnd));
        Tensor a = gpu.allocate(4, dim);
        Tensor b = gpu.allocate(4, dim);
        Tensor last = gpu.allocate(2, dim);
        float[] input = gaussian(rnd, 4 * dim, 1.0);
        float[] expected = null;
        long captures = graphs.captures();
        long replays = graphs.replays();
        for (int run = 0; run < 4; run++) {
            float[] out = chain(gpu, w, a, b, last, input);
            if (expected == null) {
                expected = out;
            } else {
                assertArrayEquals(expected, out, "run " + run);
            }
        }
        assertEquals(captures + 1, graphs.captures(), "one capture");
        assertEquals(replays + 3, graphs.replays(), "runs 2, 3 and 4 replay it");
        // New values through the same graph: compare with a direct run of the same launches.
        float[] input2 = gaussian(rnd, 4 * dim, 1.0);
        float[] replayed = chain(gpu, w, a, b, last, input2);
        assertEquals(replays + 4, graphs.replays());
        float[] direct = chain(gpu, w, a.head(3), b.head(3), last, input2);  // other launches: not replayed
        assertEquals(replays + 4, graphs.replays());
        assertArrayEquals(replayed, direct, "rows 1 and 2 of 3 tokens equal rows 1 and 2 of 4 (batch invariance)");
    }

    /** x = a; 6 x (b = w.x; a = w.b) ...; returns rows 1 and 2 of the final a, gathered on the device. */
    private static float[] chain(CudaBackend gpu, Weight w, Tensor a, Tensor b, Tensor last, float[] input) {
        gpu.upload(java.util.Arrays.copyOf(input, a.rows() * a.cols()), a);
        for (int i = 0; i < 6; i++) {
            gpu.matmul(w, a, b);
            gpu.matmul(w, b, a);
        }
        gpu.gatherRows(a, new int[] {1, 2}, last);
        return download(gpu, last);
    }

    @Test
    void gatherRowsCopiesTheNamedRows() {
        CudaBackend gpu = CudaTestSupport.cuda();
        int cols = 300;
        int rowsIn = 600;
        float[] src = gaussian(rnd, rowsIn * cols, 1.0);
        Tensor t = tensor(gpu, rowsIn, cols, src);
        int[] rows = new int[300];  // more than one launch (255 rows each), repeats and any order
        for (int i = 0; i < rows.length; i++) {
            rows[i] = rnd.nextInt(rowsIn);
        }
        Tensor dst = gpu.allocate(rows.length, cols);
        gpu.gatherRows(t, rows, dst);
        float[] expected = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(src, rows[i] * cols, expected, i * cols, cols);
        }
        assertArrayEquals(expected, download(gpu, dst));
    }
}
