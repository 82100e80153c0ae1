package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Encodes random, small, valid weights of one GGML type straight into a little-endian buffer: the encoding
 * half of a weight format, for writing synthetic models fast (no float array in between, no model in
 * memory). Decoding (dequantization) belongs to the kernels module.
 */
interface RandomBlockFiller {
    /** Every value written lies in [-RANGE, RANGE]. */
    float RANGE = 0.05f;

    GgmlType type();

    /**
     * Appends {@code blocks} whole blocks ({@code blocks * type().blockSize()} values) to {@code out}, which is
     * little-endian and has room for them.
     */
    void fill(ByteBuffer out, long blocks, SplittableRandom random);

    /** The filler for a matrix weight type: F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K. */
    static RandomBlockFiller forType(GgmlType type) {
        return switch (type) {
            case F32 -> new RandomF32();
            case F16 -> RandomHalfFloats.f16();
            case BF16 -> RandomHalfFloats.bf16();
            case Q8_0 -> new RandomQ8_0();
            case Q4_0 -> new RandomQ4_0();
            case Q4_K -> new RandomQ4_K();
            case Q6_K -> new RandomQ6_K();
            default -> throw new IllegalArgumentException(
                    "synthetic weights of type %s are not supported (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)"
                            .formatted(type));
        };
    }
}
