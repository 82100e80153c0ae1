package io.jserve.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Chooses and queues the matrix-product kernels (src/main/cuda/matmul.cu).
 *
 * <p>F32 weights run on CUDA cores in fp32, and so do the K-quants (Q4_K, Q6_K: one warp a row, 8 tokens a launch,
 * dequantized in registers from GGML's blocks). Other formats run the format's tensor-core kernel with 8, 16, 32 or
 * 64 tokens per block; up to 8 tokens read the fp32 activations directly (rounded to f16 in registers), more
 * tokens first round them once into a reused f16 buffer ({@code to_half}); the 64-token F16/BF16 kernels cover
 * 128 rows a block ({@link DeviceFormat#rowTilesPerWarp}). The K split count comes from the
 * weight's shape and the SM count only; with several splits the partials are added in split order, by the kernel's
 * last block for up to 8 tokens, else by {@code mm_reduce}.
 * None of these choices changes any output element (see matmul.cu), so results are batch invariant.
 */
final class MatmulLauncher {
    private static final int MAX_GRID_Y = 65535;
    /** Rows per block: 4 warps of 16-row tiles (times the kernel's row tiles per warp). */
    private static final int BLOCK_ROWS = 64;
    private static final int THREADS = 128;
    /** Each split keeps at least this many 64-byte units per row, so partial sums stay a small fraction of the work. */
    private static final int MIN_UNITS_PER_SPLIT = 8;
    /** A warp's fixed cost per (tile, split) item, in units of streaming time (start, partial write). */
    private static final int ITEM_OVERHEAD_UNITS = 4;
    private static final int MAX_SPLITS = 32;  // MM_MAX_SPLITS in matmul.cu
    /** Tokens per launch when partials are written: bounds the partial buffer to splits x 256 x rows floats. */
    private static final int SPLIT_TOKEN_CHUNK = 256;
    /** KQ_WARPS and KQ_TOKENS in kquant.cu. */
    private static final int K_QUANT_WARPS = 4;
    private static final int K_QUANT_TOKENS = 8;

    private final CudaContext cuda;
    private final boolean smem64;
    private final DeviceScratch halfActivations;
    private final DeviceScratch partials;
    private final DeviceScratch tickets;
    // What the f16 buffer holds: the activations at halfSource (tokens x halfKp, bf16 or not), valid while the
    // context's epoch is still halfEpoch (no launch or copy since). wq, wk and wv (and gate, up) read the same
    // normed activations back to back, so they share one conversion.
    private long halfSource = -1;
    private int halfTokens;
    private int halfKp;
    private boolean halfBf16;
    private long halfEpoch = -1;
    private final java.util.EnumMap<DeviceFormat, Integer> decodeWarps = new java.util.EnumMap<>(DeviceFormat.class);

    MatmulLauncher(CudaContext cuda) {
        this(cuda, "smem".equals(System.getProperty("jserve.cuda.mm64")));
    }

    /** {@code smem64}: the 64-token F16/BF16 blocks use the shared-memory kernels (see {@link #kernel}). */
    MatmulLauncher(CudaContext cuda, boolean smem64) {
        this.cuda = cuda;
        this.smem64 = smem64;
        this.halfActivations = new DeviceScratch(cuda);
        this.partials = new DeviceScratch(cuda);
        this.tickets = new DeviceScratch(cuda);
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
        if (f.kQuant()) {
            kQuant(w, x, out);
            return;
        }
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
        int splits = splits(f, rows, kp, decodeWarps.computeIfAbsent(f, this::residentDecodeWarps));
        boolean direct = tokens <= 8 && x.cols() == kp && DeviceAddress.of(x.ptr()) % 16 == 0;
        CUdeviceptr xs = x.ptr();
        if (!direct) {
            xs = halfActivations.get((long) tokens * kp * 2);
            long source = DeviceAddress.of(x.ptr());
            boolean reuse = source == halfSource && tokens == halfTokens && kp == halfKp
                    && f.bf16Activations() == halfBf16 && cuda.epoch() == halfEpoch;
            if (!reuse) {
                long n = (long) tokens * kp;
                cuda.launch("to_half", blocks(n), 1, 256, x.ptr(), xs, (int) w.cols(), kp,
                        f.bf16Activations() ? 1 : 0, n);
                halfSource = source;
                halfTokens = tokens;
                halfKp = kp;
                halfBf16 = f.bf16Activations();
            }
        }
        int chunk = splits == 1 ? tokens : Math.min(tokens, SPLIT_TOKEN_CHUNK);
        CUdeviceptr partial = splits == 1 ? out.ptr() : partials.get((long) splits * chunk * rows * Float.BYTES);
        for (int t0 = 0; t0 < tokens; t0 += chunk) {
            int n = Math.min(chunk, tokens - t0);
            int nt = n <= 8 ? 1 : n <= 16 ? 2 : n <= 32 ? 4 : 8;
            int tokenTiles = (n + 8 * nt - 1) / (8 * nt);
            int blockRows = BLOCK_ROWS * f.rowTilesPerWarp(nt);
            int gridRows = (rows + blockRows - 1) / blockRows;
            long xOffset = (long) t0 * kp * (direct ? Float.BYTES : 2);
            CUdeviceptr dst = out.ptr().withByteOffset((long) t0 * rows * Float.BYTES);
            // Up to 8 tokens the kernel adds the splits itself (last block per row block, counted in tickets).
            CUdeviceptr ticket = splits > 1 && nt == 1 ? tickets.get((long) rowBlocks * Integer.BYTES) : partial;
            cuda.launch3(kernel(f, nt, direct), tokenTiles, gridRows, splits, THREADS, w.data(),
                    w.scales(), xs.withByteOffset(xOffset), dst, partial, ticket, rows, kp, n, splits);
            if (splits > 1 && nt > 1) {
                long outputs = (long) n * rows;
                cuda.launch("mm_reduce", blocks(outputs), 1, 256, partial, dst, outputs, splits);
            }
        }
        halfEpoch = direct ? -1 : cuda.epoch();  // our own launches do not write x (no aliasing, checked above)
    }

    /**
     * K-quant weights (kquant.cu): one warp a row, {@value #K_QUANT_TOKENS} tokens a launch, so a step of n tokens
     * reads the weight ceil(n / 8) times; activations are read as fp32.
     */
    private void kQuant(DeviceWeight w, DeviceTensor x, DeviceTensor out) {
        int rows = Math.toIntExact(w.rows());
        int cols = x.cols();
        int blocks = (rows + K_QUANT_WARPS - 1) / K_QUANT_WARPS;
        for (int t0 = 0; t0 < x.rows(); t0 += K_QUANT_TOKENS) {
            int n = Math.min(K_QUANT_TOKENS, x.rows() - t0);
            cuda.launch(w.format().kQuantKernel(), blocks, 1, K_QUANT_WARPS * 32, w.data(),
                    x.ptr().withByteOffset((long) t0 * cols * Float.BYTES),
                    out.ptr().withByteOffset((long) t0 * rows * Float.BYTES), rows, cols, n);
        }
    }

    /**
     * The format's kernel for {@code 8 * nt}-token blocks; with {@code -Djserve.cuda.mm64=smem} the 64-token F16/BF16
     * blocks use the shared-memory pipelined variant ({@code mm_*_n8s}), which gives the same bits. It stays opt-in
     * until a GPU has timed it against the register-fed kernel: it was written in a session without one.
     */
    private String kernel(DeviceFormat f, int nt, boolean direct) {
        String name = f.matmulKernel(nt, direct);
        return smem64 && nt == 8 && f.rowTilesPerWarp(8) == 2 ? name + "s" : name;
    }

    /** Blocks of 256 threads for a grid-stride loop over {@code n} items. */    /** Blocks of 256 threads for a grid-stride loop over {@code n} items. */
    private static int blocks(long n) {
        return (int) Math.max(1, Math.min((n + 255) / 256, 8192));
    }

    /** Warps of the format's one-token kernel the whole device holds at once (the decode path's wave). */
    private int residentDecodeWarps(DeviceFormat f) {
        int blocks = cuda.blocksPerMultiprocessor(f.matmulKernel(1, true), THREADS);
        return Math.max(1, blocks) * (THREADS / 32) * cuda.multiprocessors();
    }

    /**
     * K splits of a weight, for the decode path: every (16-row tile, split) item is one warp's work, and a device
     * runs {@code residentWarps} of them at a time, so a launch takes ceil(items / residentWarps) rounds of
     * (units per split + a fixed cost). The split count with the cheapest such launch wins (the smaller on a tie),
     * keeping at least {@link #MIN_UNITS_PER_SPLIT} units per split; weights with a full wave of tiles or more are
     * not split. A function of the shape, the format and the device only, never of the token count.
     */
    static int splits(DeviceFormat f, int rows, int kp, int residentWarps) {
        int rowTiles = (rows + DeviceFormat.ROW_TILE - 1) / DeviceFormat.ROW_TILE;
        int units = kp / f.unitValues();
        if (rowTiles >= residentWarps) {
            return 1;
        }
        int max = Math.max(1, Math.min(units / MIN_UNITS_PER_SPLIT, MAX_SPLITS));
        int best = 1;
        long bestCost = Long.MAX_VALUE;
        for (int s = 1; s <= max; s++) {
            long rounds = ((long) rowTiles * s + residentWarps - 1) / residentWarps;
            long cost = rounds * ((units + s - 1) / s + ITEM_OVERHEAD_UNITS);
            if (cost < bestCost) {
                best = s;
                bestCost = cost;
            }
        }
        return best;
    }

    private static void checkGrid(int gridY, DeviceWeight w) {
        if (gridY > MAX_GRID_Y) {
            throw new IllegalArgumentException("weight %s has too many rows (%d) for one launch"
                    .formatted(w.name(), w.rows()));
        }
    }
}
