package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_0: blocks of 32 4-bit values with one fp16 scale; {@code y = (q - 8) * d}. Block: d, qs[16]; byte {@code j}
 * holds value {@code j} in its low nibble and value {@code j + 16} in its high nibble.
 */
public final class Q4_0Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
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
                dst[y + j] = ((q & 0x0F) - 8) * d;
                dst[y + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }
}
