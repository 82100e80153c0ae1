package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/**
 * Q3_K: super-blocks of 256 3-bit values (2 low bits in {@code qs}, the third in {@code hmask}) in 16 sub-blocks
 * with 6-bit signed scales; {@code y = (d * (sc - 32)) * (q - (high bit ? 0 : 4))}.
 * Block: hmask[32], qs[64], scales[12], d.
 */
public final class Q3_KFormat implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 256);
        int y = dstOffset;
        byte[] scales = new byte[16];
        for (int i = 0; i < nb; i++) {
            long b = offset + 110L * i;
            float dAll = Bytes.f16(src, b + 108);
            unpackScales(src, b + 96, scales);
            long hm = b;
            long q = b + 32;
            int m = 1;
            int is = 0;
            for (int n = 0; n < 256; n += 128) {
                for (int shift = 0; shift < 8; shift += 2) {
                    for (int half = 0; half < 32; half += 16) {
                        float dl = dAll * (scales[is++] - 32);
                        for (int l = 0; l < 16; l++) {
                            int low = (Bytes.u8(src, q + half + l) >> shift) & 3;
                            int high = (Bytes.u8(src, hm + half + l) & m) != 0 ? 0 : 4;
                            dst[y++] = dl * (low - high);
                        }
                    }
                    m <<= 1;
                }
                q += 32;
            }
        }
    }

    /** ggml's unpacking of the 12 scale bytes into 16 6-bit values (kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f). */
    private static void unpackScales(MemorySegment src, long at, byte[] out) {
        int a0 = Bytes.u32(src, at);
        int a1 = Bytes.u32(src, at + 4);
        int tmp = Bytes.u32(src, at + 8);
        int k1 = 0x03030303;
        int k2 = 0x0f0f0f0f;
        int[] aux = {
                (a0 & k2) | (((tmp) & k1) << 4),
                (a1 & k2) | (((tmp >>> 2) & k1) << 4),
                ((a0 >>> 4) & k2) | (((tmp >>> 4) & k1) << 4),
                ((a1 >>> 4) & k2) | (((tmp >>> 6) & k1) << 4)};
        for (int w = 0; w < 4; w++) {
            for (int k = 0; k < 4; k++) {
                out[4 * w + k] = (byte) (aux[w] >>> (8 * k));
            }
        }
    }
}
