package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_0: blocks of 32 5-bit values with an fp16 scale; {@code y = (q - 16) * d}. Block: d, qh (32 fifth bits,
 * bit {@code j} for value {@code j}), qs[16] (low nibbles as in Q4_0).
 */
public final class Q5_0Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 32);
        for (int i = 0; i < nb; i++) {
            long b = offset + 22L * i;
            float d = Bytes.f16(src, b);
            int qh = Bytes.u32(src, b + 2);
            int y = dstOffset + 32 * i;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(src, b + 6 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                dst[y + j] = (((q & 0x0F) | xh0) - 16) * d;
                dst[y + j + 16] = (((q >> 4) | xh1) - 16) * d;
            }
        }
    }
}
