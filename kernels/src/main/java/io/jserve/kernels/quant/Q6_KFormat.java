package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q6_K: super-blocks of 256 6-bit values (4 low bits in {@code ql}, 2 high bits in {@code qh}) in 16 sub-blocks
 * with int8 scales; {@code y = (d * sc) * (q - 32)}. Block: ql[128], qh[64], scales[16], d.
 */
public final class Q6_KFormat implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 256);
        for (int i = 0; i < nb; i++) {
            long b = offset + 210L * i;
            float d = Bytes.f16(src, b + 208);
            long ql = b;
            long qh = b + 128;
            long sc = b + 192;
            int y = dstOffset + 256 * i;
            for (int n = 0; n < 256; n += 128) {
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = Bytes.u8(src, qh + l);
                    int lo = Bytes.u8(src, ql + l);
                    int hi = Bytes.u8(src, ql + l + 32);
                    int q1 = ((lo & 0xF) | ((h & 3) << 4)) - 32;
                    int q2 = ((hi & 0xF) | (((h >> 2) & 3) << 4)) - 32;
                    int q3 = ((lo >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    int q4 = ((hi >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    dst[y + l] = d * Bytes.i8(src, sc + is) * q1;
                    dst[y + l + 32] = d * Bytes.i8(src, sc + is + 2) * q2;
                    dst[y + l + 64] = d * Bytes.i8(src, sc + is + 4) * q3;
                    dst[y + l + 96] = d * Bytes.i8(src, sc + is + 6) * q4;
                }
                y += 128;
                ql += 64;
                qh += 32;
                sc += 8;
            }
        }
    }
}
