package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * How one GGML element type turns stored bytes into float32 values, exactly as ggml's {@code dequantize_row_*}
 * (the same float32 operations in the same order, so the values are bit-identical to llama.cpp's).
 *
 * <p>Scalar and obviously correct: the reference backend uses it for every operation and the CPU backend as the
 * fallback for types without a vectorized decoder. Implementations are stateless and thread-safe.
 */
public interface WeightFormat {

    /** The element type this format decodes. */
    GgmlType type();

    /**
     * Dequantizes {@code count} consecutive values (a whole number of blocks) whose first block starts at byte
     * {@code offset} of {@code src}, into {@code dst[dstOffset .. dstOffset + count)}.
     */
    void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count);

    /** Dequantizes {@code count} values starting at a block boundary into a new array. */
    default float[] dequantize(MemorySegment src, long offset, int count) {
        float[] out = new float[count];
        dequantize(src, offset, out, 0, count);
        return out;
    }

    /** The format of {@code type}. */
    static WeightFormat of(GgmlType type) {
        return WeightFormats.of(type);
    }

    /** Whether {@code type} has a format (can be used as a weight by the host backends). */
    static boolean isSupported(GgmlType type) {
        return WeightFormats.isSupported(type);
    }
}
