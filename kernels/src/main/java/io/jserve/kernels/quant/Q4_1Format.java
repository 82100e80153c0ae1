package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q4_1: blocks of 32 4-bit values with an fp16 scale and minimum; {@code y = q * d + m}. Block: d, m, qs[16]. */
public final class Q4_1Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 32);
        for (int i = 0; i < nb; i++) {
            long b = offset + 20L * i;
            float d = Bytes.f16(src, b);
            float m = Bytes.f16(src, b + 2);
            int y = dstOffset + 32 * i;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(src, b + 4 + j);
                dst[y + j] = (q & 0x0F) * d + m;
                dst[y + j + 16] = (q >> 4) * d + m;
            }
        }
    }
}
