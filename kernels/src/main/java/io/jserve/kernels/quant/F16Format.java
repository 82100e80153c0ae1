package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/** IEEE half precision, converted exactly with {@link Float#float16ToFloat}. */
public final class F16Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = Bytes.f16(src, offset + 2L * i);
        }
    }
}
