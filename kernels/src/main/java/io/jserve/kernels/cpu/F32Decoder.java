package io.jserve.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** F32 rows: a bulk copy of the little-endian floats. */
final class F32Decoder implements RowDecoder {
    private static final ValueLayout.OfFloat LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch) {
        MemorySegment.copy(src, LE, offset, dst, 0, cols);
    }
}
