package io.jserve.kernels.quant;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte packed 6-bit scales and minimums of Q4_K and Q5_K (ggml's {@code get_scale_min_k4}): eight
 * sub-blocks, each with a scale and a minimum.
 */
final class KScales {
    private KScales() {
    }

    /** The 6-bit scale of sub-block {@code j} (0..7) of the scales starting at byte {@code q}. */
    static int scale(MemorySegment s, long q, int j) {
        if (j < 4) {
            return Bytes.u8(s, q + j) & 63;
        }
        return (Bytes.u8(s, q + j + 4) & 0xF) | ((Bytes.u8(s, q + j - 4) >> 6) << 4);
    }

    /** The 6-bit minimum of sub-block {@code j} (0..7) of the scales starting at byte {@code q}. */
    static int min(MemorySegment s, long q, int j) {
        if (j < 4) {
            return Bytes.u8(s, q + j + 4) & 63;
        }
        return (Bytes.u8(s, q + j + 4) >> 4) | ((Bytes.u8(s, q + j) >> 6) << 4);
    }
}
