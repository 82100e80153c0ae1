package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;

/** bfloat16: the upper 16 bits of a float32, so conversion is a shift (ggml's {@code GGML_BF16_TO_FP32}). */
public final class BF16Format implements WeightFormat {
    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void dequantize(MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = Float.intBitsToFloat(src.get(Bytes.SHORT_LE, offset + 2L * i) << 16);
        }
    }
}
