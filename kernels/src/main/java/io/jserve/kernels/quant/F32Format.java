package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/** Plain little-endian float32: a copy. */
public final class F32Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        MemorySegment.copy(src, Bytes.FLOAT_LE, offset, dst, dstOffset, count);
    }
}
