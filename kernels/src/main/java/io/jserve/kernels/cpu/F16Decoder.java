package io.jserve.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * F16 rows: a bulk copy of the halves into a {@code short[]}, then a plain {@link Float#float16ToFloat} loop over
 * arrays, which C2 compiles to packed {@code vcvtph2ps} (the Vector API has no half-precision conversion).
 */
final class F16Decoder implements RowDecoder {
    private static final ValueLayout.OfShort LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch) {
        short[] halves = scratch.shorts(cols);
        MemorySegment.copy(src, LE, offset, halves, 0, cols);
        for (int i = 0; i < cols; i++) {
            dst[i] = Float.float16ToFloat(halves[i]);
        }
    }
}
