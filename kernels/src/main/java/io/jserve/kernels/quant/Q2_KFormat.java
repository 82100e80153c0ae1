package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q2_K: super-blocks of 256 2-bit values in 16 sub-blocks of 16, each with a 4-bit scale and a 4-bit minimum
 * (times the fp16 {@code d} and {@code dmin}); {@code y = (d * sc) * q - (dmin * m)}.
 * Block: scales[16], qs[64], d, dmin.
 */
public final class Q2_KFormat implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 256);
        int y = dstOffset;
        for (int i = 0; i < nb; i++) {
            long b = offset + 84L * i;
            float d = Bytes.f16(src, b + 80);
            float min = Bytes.f16(src, b + 82);
            long q = b + 16;
            int is = 0;
            for (int n = 0; n < 256; n += 128) {
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 32; half += 16) {
                        int sc = Bytes.u8(src, b + is++);
                        float dl = d * (sc & 0xF);
                        float ml = min * (sc >> 4);
                        for (int l = 0; l < 16; l++) {
                            dst[y++] = dl * ((Bytes.u8(src, q + half + l) >> shift) & 3) - ml;
                        }
                    }
                }
                q += 32;
            }
        }
    }
}
