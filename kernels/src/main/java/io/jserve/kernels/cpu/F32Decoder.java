package io.jserve.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** F32 rows: a bulk copy of the little-endian floats, or a dot straight from the mapped file. */
final class F32Decoder implements RowDecoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat LE =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    @Override
    public void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch) {
        MemorySegment.copy(src, LE, offset, dst, 0, cols);
    }

    @Override
    public boolean hasDot() {
        return true;
    }

    /** {@link DotKernel#dot1} with the weights read from the file instead of a decoded array. */
    @Override
    public float dot(MemorySegment w, long wo, MemorySegment x, long xo, int cols, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            long b = 4L * c;
            a0 = weights(w, wo + b).fma(FloatVector.fromMemorySegment(F, x, xo + b, NATIVE), a0);
            a1 = weights(w, wo + b + 4L * L).fma(FloatVector.fromMemorySegment(F, x, xo + b + 4L * L, NATIVE), a1);
            a2 = weights(w, wo + b + 8L * L).fma(FloatVector.fromMemorySegment(F, x, xo + b + 8L * L, NATIVE), a2);
            a3 = weights(w, wo + b + 12L * L).fma(FloatVector.fromMemorySegment(F, x, xo + b + 12L * L, NATIVE), a3);
        }
        if (c + L <= cols) {
            a0 = weights(w, wo + 4L * c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a0);
            c += L;
            if (c + L <= cols) {
                a1 = weights(w, wo + 4L * c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a1);
                c += L;
                if (c + L <= cols) {
                    a2 = weights(w, wo + 4L * c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a2);
                    c += L;
                }
            }
        }
        float tail = 0f;
        for (; c < cols; c++) {
            tail = Math.fma(w.get(LE, wo + 4L * c), x.get(FLOAT, xo + 4L * c), tail);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        return DotKernel.sumLanes(lanes) + tail;
    }

    private static FloatVector weights(MemorySegment w, long at) {
        return FloatVector.fromMemorySegment(F, w, at, ByteOrder.LITTLE_ENDIAN);
    }
}
