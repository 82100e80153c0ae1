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
    private static final ByteOrder LITTLE = ByteOrder.LITTLE_ENDIAN;
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
        long v = 4L * L; // bytes per vector
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            long wb = wo + 4L * c;
            long xb = xo + 4L * c;
            a0 = FloatVector.fromMemorySegment(F, w, wb, LITTLE).fma(FloatVector.fromMemorySegment(F, x, xb, NATIVE), a0);
            a1 = FloatVector.fromMemorySegment(F, w, wb + v, LITTLE)
                    .fma(FloatVector.fromMemorySegment(F, x, xb + v, NATIVE), a1);
            a2 = FloatVector.fromMemorySegment(F, w, wb + 2 * v, LITTLE)
                    .fma(FloatVector.fromMemorySegment(F, x, xb + 2 * v, NATIVE), a2);
            a3 = FloatVector.fromMemorySegment(F, w, wb + 3 * v, LITTLE)
                    .fma(FloatVector.fromMemorySegment(F, x, xb + 3 * v, NATIVE), a3);
        }
        // the remaining whole vectors go to accumulators 0, 1, 2 in order, as in dot1
        if (c + L <= cols) {
            a0 = FloatVector.fromMemorySegment(F, w, wo + 4L * c, LITTLE)
                    .fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a0);
            c += L;
            if (c + L <= cols) {
                a1 = FloatVector.fromMemorySegment(F, w, wo + 4L * c, LITTLE)
                        .fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a1);
                c += L;
                if (c + L <= cols) {
                    a2 = FloatVector.fromMemorySegment(F, w, wo + 4L * c, LITTLE)
                            .fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a2);
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
}
