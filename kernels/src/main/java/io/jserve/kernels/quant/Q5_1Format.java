package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q5_1: Q5_0's bit layout with an fp16 minimum and no offset; {@code y = q * d + m}. Block: d, m, qh, qs[16]. */
public final class Q5_1Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 32);
        for (int i = 0; i < nb; i++) {
            long b = offset + 24L * i;
            float d = Bytes.f16(src, b);
            float m = Bytes.f16(src, b + 2);
            int qh = Bytes.u32(src, b + 4);
            int y = dstOffset + 32 * i;
            for (int j = 0; j < 16; j++) {
                int q = Bytes.u8(src, b + 8 + j);
                int xh0 = ((qh >>> j) << 4) & 0x10;
                int xh1 = (qh >>> (j + 12)) & 0x10;
                dst[y + j] = ((q & 0x0F) | xh0) * d + m;
                dst[y + j + 16] = ((q >> 4) | xh1) * d + m;
            }
        }
    }
}
