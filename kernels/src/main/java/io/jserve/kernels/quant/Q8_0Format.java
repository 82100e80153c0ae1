package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/** Q8_0: blocks of 32 int8 values with one fp16 scale {@code d}; {@code y = q * d}. Block: d, qs[32]. */
public final class Q8_0Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        int nb = Bytes.blocks(count, 32);
        for (int i = 0; i < nb; i++) {
            long b = offset + 34L * i;
            float d = Bytes.f16(src, b);
            int y = dstOffset + 32 * i;
            for (int j = 0; j < 32; j++) {
                dst[y + j] = Bytes.i8(src, b + 2 + j) * d;
            }
        }
    }
}
