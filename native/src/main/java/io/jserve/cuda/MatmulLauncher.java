package io.jserve.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Chooses and queues the matrix-product kernels (src/main/cuda/matmul.cu).
 *
 * <p>F32 weights run on CUDA cores in fp32. Other formats run the format's tensor-core kernel with 8, 16, 32 or
 * 64 tokens per block; up to 8 tokens read the fp32 activations directly (rounded to f16 in registers), more
 * tokens first round them once into a reused f16 buffer ({@code to_half}). The K split count comes from the
 * weight's shape and the SM count only; with several splits, {@code mm_reduce} adds the partials in split order.
 * None of these choices changes any output element (see matmul.cu), so results are batch invariant.
 */
final class MatmulLauncher {
    private static final int MAX_GRID_Y = 65535;
    /** Rows per block: 8 warps of 16-row tiles. */
    private static final int BLOCK_ROWS = 128;
    private static final int THREADS = 256;
    /** Warps wanted in flight per SM when a weight has few rows: sizes the K split. */
    private static final int WARPS_PER_SM = 16;
    /** Each split keeps at least this many 64-byte units per row, so partial sums stay a small fraction of the work. */
    private static final int MIN_UNITS_PER_SPLIT = 8;
    private static final int MAX_SPLITS = 32;
    /** Tokens per launch when partials are written: bounds the partial buffer to splits x 256 x rows floats. */
    private static final int SPLIT_TOKEN_CHUNK = 256;

    private final CudaContext cuda;
    private final DeviceScratch halfActivations;
    private final DeviceScratch partials;

    MatmulLauncher(CudaContext cuda) {
        this.cuda = cuda;
        this.halfActivations = new DeviceScratch(cuda);
        this.partials = new DeviceScratch(cuda);
    }

    void matmul(DeviceWeight w, DeviceTensor x, DeviceTensor out) {
        int tokens = x.rows();
        int rows = Math.toIntExact(w.rows());
        if (x.cols() != w.cols() || out.cols() != rows || out.rows() != tokens) {
            throw new IllegalArgumentException("matmul %s [%d, %d] with x [%d, %d] into out [%d, %d]"
                    .formatted(w.name(), w.rows(), w.cols(), x.rows(), x.cols(), out.rows(), out.cols()));
        }
        if (DeviceTensor.sameMemory(x, out)) {
            throw new IllegalArgumentException("matmul output must not alias its input");
        }
        DeviceFormat f = w.format();
        if (f == DeviceFormat.F32) {
            int rowGroups = (rows + 3) / 4;
            checkGrid(rowGroups, w);
            cuda.launch("mm_f32", (tokens + 3) / 4, rowGroups, 128, w.data(), x.ptr(), out.ptr(), rows,
                    (int) w.cols(), tokens);
            return;
        }
        int kp = w.paddedCols();
        int rowBlocks = (rows + BLOCK_ROWS - 1) / BLOCK_ROWS;
        checkGrid(rowBlocks, w);
        int splits = splits(f, rows, kp, cuda.multiprocessors());
        boolean direct = tokens <= 8 && x.cols() == kp && DeviceAddress.of(x.ptr()) % 16 == 0;
        CUdeviceptr xs = x.ptr();
        if (!direct) {
            xs = halfActivations.get((long) tokens * kp * 2);
            long n = (long) tokens * kp;
            cuda.launch("to_half", blocks(n), 1, 256, x.ptr(), xs, (int) w.cols(), kp, f.bf16Activations() ? 1 : 0,
                    n);
        }
        int chunk = splits == 1 ? tokens : Math.min(tokens, SPLIT_TOKEN_CHUNK);
        CUdeviceptr partial = splits == 1 ? out.ptr() : partials.get((long) splits * chunk * rows * Float.BYTES);
        for (int t0 = 0; t0 < tokens; t0 += chunk) {
            int n = Math.min(chunk, tokens - t0);
            int nt = n <= 8 ? 1 : n <= 16 ? 2 : n <= 32 ? 4 : 8;
            int tokenTiles = (n + 8 * nt - 1) / (8 * nt);
            long xOffset = (long) t0 * kp * (direct ? Float.BYTES : 2);
            CUdeviceptr dst = out.ptr().withByteOffset((long) t0 * rows * Float.BYTES);
            cuda.launch3(f.matmulKernel(nt, direct), tokenTiles, rowBlocks, splits, THREADS, w.data(),
                    w.scales(), xs.withByteOffset(xOffset), dst, partial, rows, kp, n, splits);
            if (splits > 1) {
                long outputs = (long) n * rows;
                cuda.launch("mm_reduce", blocks(outputs), 1, 256, partial, dst, outputs, splits);
            }
        }
    }

    /** Blocks of 256 threads for a grid-stride loop over {@code n} items. */
    private static int blocks(long n) {
        return (int) Math.max(1, Math.min((n + 255) / 256, 8192));
    }

    /**
     * K splits of a weight: enough (16-row tile, split) warps to give every SM {@link #WARPS_PER_SM}, keeping at
     * least {@link #MIN_UNITS_PER_SPLIT} units per split. A function of the shape and the device only.
     */
    static int splits(DeviceFormat f, int rows, int kp, int multiprocessors) {
        int rowTiles = (rows + DeviceFormat.ROW_TILE - 1) / DeviceFormat.ROW_TILE;
        int units = kp / f.unitValues();
        int wanted = (multiprocessors * WARPS_PER_SM + rowTiles - 1) / rowTiles;
        return Math.max(1, Math.min(Math.min(wanted, units / MIN_UNITS_PER_SPLIT), MAX_SPLITS));
    }

    private static void checkGrid(int gridY, DeviceWeight w) {
        if (gridY > MAX_GRID_Y) {
            throw new IllegalArgumentException("weight %s has too many rows (%d) for one launch"
                    .formatted(w.name(), w.rows()));
        }
    }
}
