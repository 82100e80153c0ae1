package io.jserve.kernels;

/**
 * Geometry of the paged KV cache: {@code numBlocks} blocks of {@code blockSize} token slots, per layer, each slot
 * holding {@code numKvHeads * headDim} keys and as many values. Slot {@code s} of the pool is token
 * {@code s % blockSize} of block {@code s / blockSize}.
 */
public record KvCacheShape(int numLayers, int numBlocks, int blockSize, int numKvHeads, int headDim) {
    public KvCacheShape {
        if (numLayers <= 0 || numBlocks <= 0 || blockSize <= 0 || numKvHeads <= 0 || headDim <= 0) {
            throw new IllegalArgumentException("every KV cache dimension must be positive: " + this);
        }
        if ((long) numBlocks * blockSize > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many KV slots: %d blocks of %d".formatted(numBlocks, blockSize));
        }
    }

    /** Total token slots in the pool. */
    public int numSlots() {
        return numBlocks * blockSize;
    }

    /** Floats of keys (or of values) per token slot per layer. */
    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** Bytes of the whole pool when keys and values are stored as float32. */
    public long bytesAsF32() {
        return 2L * numLayers * numSlots() * kvDim() * Float.BYTES;
    }
}
