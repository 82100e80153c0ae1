package io.jserve.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dot products of one decoded weight row with activation rows, the inner loop of the CPU matmul.
 *
 * <p>Batch invariance rests on one fixed accumulation order, shared by {@link #dot1} and {@link #dot2}: vector
 * chunk {@code j} (of {@code L} floats) is fused-multiply-added into accumulator {@code j % 4}, in increasing
 * {@code j}; the accumulators are added as {@code (a0 + a1) + (a2 + a3)}; its lanes are summed in lane order;
 * the scalar tail (the last {@code cols % L} values, fused in order) is added last. {@code dot2} only shares the
 * weight loads between two activation rows, so each of its results is bit-identical to {@code dot1} on the
 * same row. Lanes are summed by hand because {@code reduceLanes(ADD)} may change order between the interpreter
 * and compiled code. Four accumulators hide the FMA latency at one row.
 */
final class DotKernel {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private DotKernel() {
    }

    /** {@code sum_c w[c] * x[c]} for the {@code cols} floats of {@code x} at byte {@code xo}. */
    static float dot1(float[] w, MemorySegment x, long xo, int cols, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            a0 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a0);
            a1 = FloatVector.fromArray(F, w, c + L).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * (c + L), NATIVE), a1);
            a2 = FloatVector.fromArray(F, w, c + 2 * L).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * (c + 2 * L), NATIVE), a2);
            a3 = FloatVector.fromArray(F, w, c + 3 * L).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * (c + 3 * L), NATIVE), a3);
        }
        if (c + L <= cols) {
            a0 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a0);
            c += L;
            if (c + L <= cols) {
                a1 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a1);
                c += L;
                if (c + L <= cols) {
                    a2 = FloatVector.fromArray(F, w, c).fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a2);
                    c += L;
                }
            }
        }
        float tail = 0f;
        for (; c < cols; c++) {
            tail = Math.fma(w[c], x.get(FLOAT, xo + 4L * c), tail);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        return sumLanes(lanes) + tail;
    }

    /**
     * {@link #dot1} for the two activation rows at bytes {@code xo} and {@code xo + xStride}, written to
     * {@code out} at bytes {@code oo} and {@code oo + oStride}. Two rows, not more: eight accumulators keep the
     * method small enough for C1 to compile on the way to C2 (a four-row version ran out of C1 registers and could
     * stay in slow code).
     */
    static void dot2(float[] w, MemorySegment x, long xo, long xStride, int cols,
                     MemorySegment out, long oo, long oStride, float[] lanes) {
        long x1 = xo + xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            long b = 4L * c;
            FloatVector w0 = FloatVector.fromArray(F, w, c);
            a00 = w0.fma(FloatVector.fromMemorySegment(F, x, xo + b, NATIVE), a00);
            a10 = w0.fma(FloatVector.fromMemorySegment(F, x, x1 + b, NATIVE), a10);
            FloatVector w1 = FloatVector.fromArray(F, w, c + L);
            a01 = w1.fma(FloatVector.fromMemorySegment(F, x, xo + b + 4L * L, NATIVE), a01);
            a11 = w1.fma(FloatVector.fromMemorySegment(F, x, x1 + b + 4L * L, NATIVE), a11);
            FloatVector w2 = FloatVector.fromArray(F, w, c + 2 * L);
            a02 = w2.fma(FloatVector.fromMemorySegment(F, x, xo + b + 8L * L, NATIVE), a02);
            a12 = w2.fma(FloatVector.fromMemorySegment(F, x, x1 + b + 8L * L, NATIVE), a12);
            FloatVector w3 = FloatVector.fromArray(F, w, c + 3 * L);
            a03 = w3.fma(FloatVector.fromMemorySegment(F, x, xo + b + 12L * L, NATIVE), a03);
            a13 = w3.fma(FloatVector.fromMemorySegment(F, x, x1 + b + 12L * L, NATIVE), a13);
        }
        // the remaining whole vectors go to accumulators 0, 1, 2 in order, as in dot1
        if (c + L <= cols) {
            FloatVector wv = FloatVector.fromArray(F, w, c);
            a00 = wv.fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a00);
            a10 = wv.fma(FloatVector.fromMemorySegment(F, x, x1 + 4L * c, NATIVE), a10);
            c += L;
            if (c + L <= cols) {
                wv = FloatVector.fromArray(F, w, c);
                a01 = wv.fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a01);
                a11 = wv.fma(FloatVector.fromMemorySegment(F, x, x1 + 4L * c, NATIVE), a11);
                c += L;
                if (c + L <= cols) {
                    wv = FloatVector.fromArray(F, w, c);
                    a02 = wv.fma(FloatVector.fromMemorySegment(F, x, xo + 4L * c, NATIVE), a02);
                    a12 = wv.fma(FloatVector.fromMemorySegment(F, x, x1 + 4L * c, NATIVE), a12);
                    c += L;
                }
            }
        }
        float t0 = 0f, t1 = 0f;
        for (; c < cols; c++) {
            t0 = Math.fma(w[c], x.get(FLOAT, xo + 4L * c), t0);
            t1 = Math.fma(w[c], x.get(FLOAT, x1 + 4L * c), t1);
        }
        a00.add(a01).add(a02.add(a03)).intoArray(lanes, 0);
        out.set(FLOAT, oo, sumLanes(lanes) + t0);
        a10.add(a11).add(a12.add(a13)).intoArray(lanes, 0);
        out.set(FLOAT, oo + oStride, sumLanes(lanes) + t1);
    }

    /** The lanes summed left to right. */
    static float sumLanes(float[] lanes) {
        float s = 0f;
        for (float v : lanes) {
            s += v;
        }
        return s;
    }
}
