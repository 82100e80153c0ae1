package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * IQ4_NL: blocks of 32 4-bit indices into a fixed non-linear table, with an fp16 scale; {@code y = d * table[q]}.
 * Block: d, qs[16] (nibbles laid out as in Q4_0).
 */
public final class IQ4_NLFormat implements WeightFormat {
    /** ggml's {@code kvalues_iq4nl}. */
    static final int[] VALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 32);
        for (int i = 0; i < nb; i++) {
            long b = offset + 18L * i;
            float d = Bytes.f16(src, b);
            int y = dstOffset + 32 * i;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(src, b + 2 + j);
                dst[y + j] = d * VALUES[q & 0x0F];
                dst[y + j + 16] = d * VALUES[q >> 4];
            }
        }
    }
}
