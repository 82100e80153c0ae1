package io.jserve.cuda;

import io.jserve.kernels.LogitSummaries;
import io.jserve.kernels.LogitSummary;
import jcuda.driver.CUdeviceptr;

/**
 * Summarizes logits on the device ({@code summarize_logits} in sampling.cu) and copies back only the summaries:
 * {@code k} ids and values and two normalizers a row, instead of the whole row. Rows go in launches of at most
 * {@value #MAX_ROWS}, whose inverse temperatures travel by value in the launch (no upload, no wait).
 */
final class SummaryLauncher {
    /** Rows per launch: {@code struct TemperatureList { int n; float invT[255]; }} in sampling.cu. */
    static final int MAX_ROWS = 255;
    private static final int THREADS = 1024;

    private final CudaContext cuda;
    private final PinnedStaging staging;
    private final DeviceScratch results;

    SummaryLauncher(CudaContext cuda, PinnedStaging staging) {
        this.cuda = cuda;
        this.staging = staging;
        this.results = new DeviceScratch(cuda);
    }

    void summarize(DeviceTensor logits, LogitSummary out) {
        LogitSummaries.checkShape(logits, out);
        int rows = logits.rows();
        int cols = logits.cols();
        int k = out.k();
        if (rows == 0) {
            return;
        }
        // one buffer: ids [rows, k], values [rows, k], sums [rows, 2]; copied back as ints in one transfer
        int words = rows * (2 * k + 2);
        CUdeviceptr base = results.get((long) words * Integer.BYTES);
        CUdeviceptr ids = base;
        CUdeviceptr values = base.withByteOffset((long) rows * k * Integer.BYTES);
        CUdeviceptr sums = base.withByteOffset(2L * rows * k * Integer.BYTES);
        for (int at = 0; at < rows; at += MAX_ROWS) {
            int n = Math.min(MAX_ROWS, rows - at);
            int[] temperatures = new int[MAX_ROWS + 1];
            temperatures[0] = n;
            for (int i = 0; i < n; i++) {
                temperatures[1 + i] = Float.floatToRawIntBits(out.inverseTemperature(at + i));
            }
            cuda.launch("summarize_logits", n, 1, THREADS,
                    logits.ptr().withByteOffset((long) at * cols * Float.BYTES), cols, k, temperatures,
                    ids.withByteOffset((long) at * k * Integer.BYTES),
                    values.withByteOffset((long) at * k * Float.BYTES),
                    sums.withByteOffset(2L * at * Float.BYTES));
        }
        int[] host = new int[words];
        staging.download(base, host);
        int count = out.count();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < count; j++) {
                out.setCandidate(r, j, host[r * k + j], Float.intBitsToFloat(host[rows * k + r * k + j]));
            }
            if (out.wantsNormalizers(r)) {
                out.setSums(r, Float.intBitsToFloat(host[2 * rows * k + 2 * r]),
                        Float.intBitsToFloat(host[2 * rows * k + 2 * r + 1]));
            }
        }
    }
}
