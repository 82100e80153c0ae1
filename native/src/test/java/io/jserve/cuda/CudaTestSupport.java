package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.reference.ReferenceBackend;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;

/**
 * Shared pieces of the device tests: one CUDA backend for the whole run (module loading JIT-compiles the PTX,
 * so it is done once), the skip rule when no device is usable, and the error measures.
 */
final class CudaTestSupport {
    private static CudaBackend shared;
    private static CudaBackend sharedF32Cache;

    private CudaTestSupport() {
    }

    /** The shared CUDA backend; skips the calling test, saying why, when the backend is unavailable. */
    static synchronized CudaBackend cuda() {
        if (FakeCudaDriver.requested()) {
            FakeCudaDriver.install();  // before JCuda loads: its native library then links to the stand-in
        }
        BackendAvailability a = new CudaBackendProvider().availability();
        Assumptions.assumeTrue(a.available(), () -> "CUDA backend unavailable, skipping: " + a.detail());
        if (shared == null) {
            shared = (CudaBackend) new CudaBackendProvider().create();
        }
        return shared;
    }

    /** Skips the calling test on the CPU emulator (the fake driver): its shapes take minutes there. */
    static void skipOnTheEmulator(String what) {
        Assumptions.assumeFalse(FakeCudaDriver.requested(), () -> what + ": too large for the CPU emulator, skipping");
    }

    /** A second CUDA backend whose KV caches store f32 (the default is f16). */
    static synchronized CudaBackend cudaWithF32Cache() {
        cuda();
        if (sharedF32Cache == null) {
            sharedF32Cache = new CudaBackend(0, DeviceKvCache.Precision.F32);
        }
        return sharedF32Cache;
    }

    static ComputeBackend reference() {
        return new ReferenceBackend();
    }

    static float[] gaussian(Random rnd, int n, double scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * scale);
        }
        return v;
    }

    static float[] download(ComputeBackend b, Tensor t) {
        int[] rows = new int[t.rows()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        float[] out = new float[t.rows() * t.cols()];
        b.download(t, rows, out);
        return out;
    }

    /** The rows {@code ids} of an embedding table looked up by {@code b} (one prefill step of those tokens). */
    static float[] embed(ComputeBackend b, WeightView table, int[] ids) {
        int n = ids.length;
        int[] positions = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = i;
        }
        AttentionMetadata m = new AttentionMetadata(positions, new int[] {0, n}, new int[] {n}, new int[] {0}, 1,
                positions.clone(), 16);
        Tensor out = b.allocate(n, (int) table.cols());
        b.embed(b.load(table), b.prepareStep(ids, m), out);
        return download(b, out);
    }

    /** A tensor of {@code b} holding {@code values} ({@code rows x cols}). */
    static Tensor tensor(ComputeBackend b, int rows, int cols, float[] values) {
        Tensor t = b.allocate(rows, cols);
        b.upload(values, t);
        return t;
    }

    /** Asserts that every row of {@code actual} is within {@code tol} of {@code expected} in relative L2 norm. */
    static void assertRowsClose(float[] expected, float[] actual, int cols, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int r = 0; r < expected.length / cols; r++) {
            double diff = 0;
            double norm = 0;
            for (int c = r * cols; c < (r + 1) * cols; c++) {
                assertTrue(Float.isFinite(actual[c]), () -> what + ": non-finite value");
                diff += (double) (expected[c] - actual[c]) * (expected[c] - actual[c]);
                norm += (double) expected[c] * expected[c];
            }
            double rel = Math.sqrt(diff / Math.max(norm, 1e-30));
            int row = r;
            assertTrue(rel <= tol, () -> "%s: row %d relative error %.3g over %.3g".formatted(what, row, rel, tol));
        }
    }
}
