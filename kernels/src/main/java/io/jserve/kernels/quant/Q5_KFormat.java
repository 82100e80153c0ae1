package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q5_K: Q4_K plus a fifth bit per value in {@code qh}; {@code y = (d * sc) * q - (dmin * m)}.
 * Block: d, dmin, scales[12], qh[32], qs[128].
 */
public final class Q5_KFormat implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 256);
        int y = dstOffset;
        for (int i = 0; i < nb; i++) {
            long b = offset + 176L * i;
            float d = Bytes.f16(src, b);
            float min = Bytes.f16(src, b + 2);
            long sc = b + 4;
            long qh = b + 16;
            long ql = b + 48;
            int u1 = 1;
            int u2 = 2;
            for (int is = 0; is < 8; is += 2) {
                float d1 = d * KScales.scale(src, sc, is);
                float m1 = min * KScales.min(src, sc, is);
                float d2 = d * KScales.scale(src, sc, is + 1);
                float m2 = min * KScales.min(src, sc, is + 1);
                for (int l = 0; l < 32; l++) {
                    int h = (Bytes.u8(src, qh + l) & u1) != 0 ? 16 : 0;
                    dst[y++] = d1 * ((Bytes.u8(src, ql + l) & 0xF) + h) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    int h = (Bytes.u8(src, qh + l) & u2) != 0 ? 16 : 0;
                    dst[y++] = d2 * ((Bytes.u8(src, ql + l) >> 4) + h) - m2;
                }
                ql += 32;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }
}
