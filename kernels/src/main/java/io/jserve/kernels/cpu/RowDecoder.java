package io.jserve.kernels.cpu;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.quant.WeightFormat;
import jdk.incubator.vector.FloatVector;

import java.lang.foreign.MemorySegment;

/**
 * Turns one stored weight row into float32 values for the CPU matmul, with the Vector API where a type has a
 * vectorized decoder. Every decoder produces exactly the values of the type's scalar {@link WeightFormat}
 * (conversions and scale products are exact or the same single float operation), so the CPU and reference
 * backends see bit-identical weights. Decoders are stateless; scratch space is passed in.
 */
interface RowDecoder {

    /** Decodes the {@code cols} values of the row starting at byte {@code offset} into {@code dst[0 .. cols)}. */
    void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch);

    /** Whether {@link #dot} is implemented: a fused decode-and-dot for a single activation row. */
    default boolean hasDot() {
        return false;
    }

    /**
     * The dot of the stored row at byte {@code offset} with the activations at byte {@code xo} of {@code x},
     * decoded on the fly (no round trip through memory, the fast path for one token). Bit-identical to
     * {@link #decode} followed by {@link DotKernel#dot1}: the same weight values in the same accumulation order.
     */
    default float dot(MemorySegment src, long offset, MemorySegment x, long xo, int cols, float[] lanes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no fused dot");
    }

    /** The fastest decoder of {@code type}: vectorized when there is one, the scalar format otherwise. */
    static RowDecoder of(GgmlType type) {
        // the vector decoders read 1/4 (bytes) or 1/2 (halves) of a float vector: they need 256 or 512 bits
        int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        boolean wide = bits == 256 || bits == 512;
        return switch (type) {
            case F32 -> new F32Decoder();
            case F16 -> new F16Decoder();
            case BF16 -> wide ? new BF16Decoder() : scalar(type);
            case Q8_0 -> wide ? new Q8_0Decoder() : scalar(type);
            case Q4_0 -> wide ? new Q4_0Decoder() : scalar(type);
            case Q4_K -> wide ? new Q4_KDecoder() : scalar(type);
            case Q6_K -> wide ? new Q6_KDecoder() : scalar(type);
            default -> scalar(type);
        };
    }

    /** A decoder that runs the type's scalar {@link WeightFormat}. */
    static RowDecoder scalar(GgmlType type) {
        WeightFormat format = WeightFormat.of(type);
        return (src, offset, cols, dst, scratch) -> format.dequantize(src, offset, dst, 0, cols);
    }
}
