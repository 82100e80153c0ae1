package io.jserve.cuda;

import io.jserve.kernels.GgmlType;

/**
 * How a weight type is laid out in device memory (see {@code src/main/cuda/common.cuh}, which uses the same ids).
 *
 * <p>F16, BF16, Q8_0 and Q4_0 are repacked at load time: rows padded to a multiple of 16 and row length
 * {@code kp} padded to a whole number of 64-byte units, so the tensor-core kernels read aligned 16-byte pieces with
 * no bound checks. Q8_0 and Q4_0 keep their quants and GGML's per-block f16 scales, in separate arrays.
 * Q4_K and Q6_K stay in GGML's own 256-value super-blocks, row after row, for the CUDA-core kernels of kquant.cu
 * ({@code -Djserve.cuda.kquants=f16} widens them to F16 at load instead, as the types without a device format).
 */
enum DeviceFormat {
    F32(1, 32, 0, null),
    F16(32, 16, 0, "mm_f16"),
    BF16(32, 16, 0, "mm_bf16"),
    Q8_0(64, 8, 0, "mm_q8_0"),
    Q4_0(128, 4, 0, "mm_q4_0"),
    Q4_K(256, 0, 144, null),
    Q6_K(256, 0, 210, null);

    /** Weight rows are padded to a multiple of this (one mma tile of rows). */
    static final int ROW_TILE = 16;

    /** Whether Q4_K and Q6_K keep their own blocks on the device (else they are widened to F16 at load). */
    private static final boolean NATIVE_K_QUANTS = !"f16".equals(System.getProperty("jserve.cuda.kquants"));

    private final int unitValues;
    private final int bitsPerValue;     // the repacked layouts and F32
    private final int superBlockBytes;  // the K-quants: bytes of one 256-value GGML super-block
    private final String matmulKernel;

    DeviceFormat(int unitValues, int bitsPerValue, int superBlockBytes, String matmulKernel) {
        this.unitValues = unitValues;
        this.bitsPerValue = bitsPerValue;
        this.superBlockBytes = superBlockBytes;
        this.matmulKernel = matmulKernel;
    }

    /** The device format of a GGML type, or an exception naming the types this backend supports. */
    static DeviceFormat of(GgmlType type) {
        return switch (type) {
            case F32 -> F32;
            case F16 -> F16;
            case BF16 -> BF16;
            case Q8_0 -> Q8_0;
            case Q4_0 -> Q4_0;
            case Q4_K -> Q4_K;
            case Q6_K -> Q6_K;
            default -> throw new UnsupportedOperationException(
                    "the cuda backend stores F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K weights, not " + type);
        };
    }

    /** Whether the device stores {@code type} in its own format (others are widened, see WeightWidener). */
    static boolean stores(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0 -> true;
            case Q4_K, Q6_K -> NATIVE_K_QUANTS;
            default -> false;
        };
    }

    /** The id the kernels switch on. */
    int id() {
        return ordinal();
    }

    /** True when a repack kernel lays the weight out (all but F32 and the K-quants). */
    boolean repacked() {
        return this != F32 && !kQuant();
    }

    /** True for the K-quants, kept in GGML's super-blocks and multiplied by kquant.cu's CUDA-core kernels. */
    boolean kQuant() {
        return superBlockBytes > 0;
    }

    /** The K-quant kernel ({@link #kQuant()} formats only). */
    String kQuantKernel() {
        return switch (this) {
            case Q4_K -> "mv_q4_k";
            case Q6_K -> "mv_q6_k";
            default -> throw new IllegalArgumentException(this + " is not a K-quant");
        };
    }

    /** Padded row length in values. */
    int paddedCols(long cols) {
        return Math.toIntExact((cols + unitValues - 1) / unitValues * unitValues);
    }

    /** Padded row count. */
    long paddedRows(long rows) {
        return repacked() ? (rows + ROW_TILE - 1) / ROW_TILE * ROW_TILE : rows;
    }

    /** Bytes of the values (quants) of a padded weight. */
    long dataBytes(long paddedRows, int paddedCols) {
        if (kQuant()) {
            return paddedRows * (paddedCols / 256) * superBlockBytes;
        }
        return paddedRows * paddedCols * bitsPerValue / 8;
    }

    /** Bytes of the per-block scales (f16, one per 32 values), zero for unquantized formats. */
    long scaleBytes(long paddedRows, int paddedCols) {
        return this == Q8_0 || this == Q4_0 ? paddedRows * (paddedCols / 32) * 2L : 0L;
    }

    /**
     * The tensor-core kernel for blocks of {@code 8 * nt} tokens ({@code nt} in 1, 2, 4, 8), reading fp32
     * activations directly ({@code fp32Activations}, only with {@code nt == 1}) or their staged f16 copy.
     */
    String matmulKernel(int nt, boolean fp32Activations) {
        if (matmulKernel == null || (fp32Activations && nt != 1)) {
            throw new IllegalArgumentException("no %s kernel for %d token columns%s".formatted(this, nt,
                    fp32Activations ? " with fp32 activations" : ""));
        }
        return matmulKernel + "_n" + nt + (fp32Activations ? "x" : "");
    }

    /**
     * Row tiles each warp of the {@code nt}-token-column kernel owns (R8 in matmul.cu): 2 for the 64-token F16 and
     * BF16 kernels, which use every activation fragment they load for two tiles; else 1.
     */
    int rowTilesPerWarp(int nt) {
        return nt == 8 && (this == F16 || this == BF16) ? 2 : 1;
    }

    /** Values per 64-byte row unit of the matrix kernels (one padded-column step). */
    int unitValues() {
        return unitValues;
    }

    /** Whether activations go to the kernel as bf16 (else f16). */
    boolean bf16Activations() {
        return this == BF16;
    }
}
