package io.jserve.cuda;

/**
 * Chooses and queues the matrix-product kernels (src/main/cuda/matmul.cu).
 *
 * <p>F32 weights run on CUDA cores in fp32. Other formats first round the activations to f16 (bf16 for BF16
 * weights) into a reused scratch buffer, then run the format's tensor-core kernel with 8, 16 or 32 tokens per
 * block. The token count only picks how many 8-token columns a block holds; every token's sum runs in the same
 * order in all three, so results are batch invariant (see matmul.cu).
 */
final class MatmulLauncher {
    private static final int MAX_GRID_Y = 65535;

    private final CudaContext cuda;
    private final DeviceScratch halfActivations;

    MatmulLauncher(CudaContext cuda) {
        this.cuda = cuda;
        this.halfActivations = new DeviceScratch(cuda);
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
        var half = halfActivations.get((long) tokens * kp * 2);
        cuda.launch("to_half", tokens, 1, 256, x.ptr(), half, (int) w.cols(), kp, f.bf16Activations() ? 1 : 0);
        int nt = tokens <= 8 ? 1 : tokens <= 16 ? 2 : 4;
        int rowTiles = (rows + DeviceFormat.ROW_TILE - 1) / DeviceFormat.ROW_TILE;
        checkGrid(rowTiles, w);
        cuda.launch(f.matmulKernel(nt), (tokens + 8 * nt - 1) / (8 * nt), rowTiles, 128, w.data(), w.scales(), half,
                out.ptr(), rows, kp, tokens);
    }

    private static void checkGrid(int gridY, DeviceWeight w) {
        if (gridY > MAX_GRID_Y) {
            throw new IllegalArgumentException("weight %s has too many rows (%d) for one launch"
                    .formatted(w.name(), w.rows()));
        }
    }
}
