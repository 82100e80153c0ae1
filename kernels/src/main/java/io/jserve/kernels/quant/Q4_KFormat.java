package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q4_K: super-blocks of 256 4-bit values in 8 sub-blocks of 32, each with a 6-bit scale and minimum;
 * {@code y = (d * sc) * q - (dmin * m)}. Block: d, dmin, scales[12], qs[128] (32 bytes per pair of sub-blocks:
 * low nibbles first sub-block, high nibbles the second).
 */
public final class Q4_KFormat implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 256);
        int y = dstOffset;
        for (int i = 0; i < nb; i++) {
            long b = offset + 144L * i;
            float d = Bytes.f16(src, b);
            float min = Bytes.f16(src, b + 2);
            long sc = b + 4;
            long q = b + 16;
            for (int is = 0; is < 8; is += 2) {
                float d1 = d * KScales.scale(src, sc, is);
                float m1 = min * KScales.min(src, sc, is);
                float d2 = d * KScales.scale(src, sc, is + 1);
                float m2 = min * KScales.min(src, sc, is + 1);
                for (int l = 0; l < 32; l++) {
                    dst[y++] = d1 * (Bytes.u8(src, q + l) & 0xF) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    dst[y++] = d2 * (Bytes.u8(src, q + l) >> 4) - m2;
                }
                q += 32;
            }
        }
    }
}
