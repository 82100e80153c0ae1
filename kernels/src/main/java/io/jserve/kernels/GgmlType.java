package io.jserve.kernels;

/**
 * The tensor element types of GGML/GGUF, with their on-disk block geometry.
 *
 * <p>Quantized types store {@link #blockSize()} values in {@link #bytesPerBlock()} bytes; a row of
 * {@code n} values therefore takes {@code n / blockSize * bytesPerBlock} bytes and {@code n} must be a
 * multiple of the block size. The ids are GGML's ({@code enum ggml_type}); they are what a GGUF tensor
 * info stores.
 */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    IQ4_NL(20, 32, 18),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /** GGML's numeric id of this type. */
    public int id() {
        return id;
    }

    /** Number of values in one block (1 for plain float and integer types). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes taken by one block. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** True for block-quantized types (blockSize > 1). */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes taken by {@code numValues} consecutive values.
     *
     * @throws IllegalArgumentException if {@code numValues} is not a multiple of the block size
     */
    public long bytesFor(long numValues) {
        if (numValues < 0 || numValues % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%d values is not a whole number of %s blocks of %d".formatted(numValues, this, blockSize));
        }
        return Math.multiplyExact(numValues / blockSize, (long) bytesPerBlock);
    }

    /**
     * The type with GGML id {@code id}.
     *
     * @throws IllegalArgumentException for an id this project does not know
     */
    public static GgmlType fromId(int id) {
        for (GgmlType t : values()) {
            if (t.id == id) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown GGML tensor type id " + id);
    }
}
