package io.jserve.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Dot products of one decoded weight row with activation rows, the inner loop of the CPU matmul.
 *
 * <p>Batch invariance rests on one fixed accumulation order, shared by {@link #dot1} and {@link #dot4}: vector
 * chunk {@code j} (of {@code L} floats) is fused-multiply-added into accumulator {@code j % 4}, in increasing
 * {@code j}; the accumulators are added as {@code (a0 + a1) + (a2 + a3)}; its lanes are summed in lane order;
 * the scalar tail (the last {@code cols % L} values, fused in order) is added last. {@code dot4} only shares the
 * weight loads between four activation rows, so each of its results is bit-identical to {@code dot1} on the
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
     * {@link #dot1} for the four activation rows at bytes {@code xo + k * xStride}, {@code k = 0..3}, written to
     * {@code out} at bytes {@code oo + k * oStride}.
     */
    static void dot4(float[] w, MemorySegment x, long xo, long xStride, int cols,
                     MemorySegment out, long oo, long oStride, float[] lanes) {
        long x1 = xo + xStride, x2 = xo + 2 * xStride, x3 = xo + 3 * xStride;
        FloatVector z = FloatVector.zero(F);
        FloatVector a00 = z, a01 = z, a02 = z, a03 = z, a10 = z, a11 = z, a12 = z, a13 = z;
        FloatVector a20 = z, a21 = z, a22 = z, a23 = z, a30 = z, a31 = z, a32 = z, a33 = z;
        int c = 0;
        for (; c + 4 * L <= cols; c += 4 * L) {
            long b0 = 4L * c, b1 = 4L * (c + L), b2 = 4L * (c + 2 * L), b3 = 4L * (c + 3 * L);
            FloatVector w0 = FloatVector.fromArray(F, w, c);
            a00 = w0.fma(FloatVector.fromMemorySegment(F, x, xo + b0, NATIVE), a00);
            a10 = w0.fma(FloatVector.fromMemorySegment(F, x, x1 + b0, NATIVE), a10);
            a20 = w0.fma(FloatVector.fromMemorySegment(F, x, x2 + b0, NATIVE), a20);
            a30 = w0.fma(FloatVector.fromMemorySegment(F, x, x3 + b0, NATIVE), a30);
            FloatVector w1 = FloatVector.fromArray(F, w, c + L);
            a01 = w1.fma(FloatVector.fromMemorySegment(F, x, xo + b1, NATIVE), a01);
            a11 = w1.fma(FloatVector.fromMemorySegment(F, x, x1 + b1, NATIVE), a11);
            a21 = w1.fma(FloatVector.fromMemorySegment(F, x, x2 + b1, NATIVE), a21);
            a31 = w1.fma(FloatVector.fromMemorySegment(F, x, x3 + b1, NATIVE), a31);
            FloatVector w2 = FloatVector.fromArray(F, w, c + 2 * L);
            a02 = w2.fma(FloatVector.fromMemorySegment(F, x, xo + b2, NATIVE), a02);
            a12 = w2.fma(FloatVector.fromMemorySegment(F, x, x1 + b2, NATIVE), a12);
            a22 = w2.fma(FloatVector.fromMemorySegment(F, x, x2 + b2, NATIVE), a22);
            a32 = w2.fma(FloatVector.fromMemorySegment(F, x, x3 + b2, NATIVE), a32);
            FloatVector w3 = FloatVector.fromArray(F, w, c + 3 * L);
            a03 = w3.fma(FloatVector.fromMemorySegment(F, x, xo + b3, NATIVE), a03);
            a13 = w3.fma(FloatVector.fromMemorySegment(F, x, x1 + b3, NATIVE), a13);
            a23 = w3.fma(FloatVector.fromMemorySegment(F, x, x2 + b3, NATIVE), a23);
            a33 = w3.fma(FloatVector.fromMemorySegment(F, x, x3 + b3, NATIVE), a33);
        }
        // the remaining whole vectors go to accumulators 0, 1, 2 in order, as in dot1
        if (c + L <= cols) {
            FloatVector wv = FloatVector.fromArray(F, w, c);
            long b = 4L * c;
            a00 = wv.fma(FloatVector.fromMemorySegment(F, x, xo + b, NATIVE), a00);
            a10 = wv.fma(FloatVector.fromMemorySegment(F, x, x1 + b, NATIVE), a10);
            a20 = wv.fma(FloatVector.fromMemorySegment(F, x, x2 + b, NATIVE), a20);
            a30 = wv.fma(FloatVector.fromMemorySegment(F, x, x3 + b, NATIVE), a30);
            c += L;
            if (c + L <= cols) {
                wv = FloatVector.fromArray(F, w, c);
                b = 4L * c;
                a01 = wv.fma(FloatVector.fromMemorySegment(F, x, xo + b, NATIVE), a01);
                a11 = wv.fma(FloatVector.fromMemorySegment(F, x, x1 + b, NATIVE), a11);
                a21 = wv.fma(FloatVector.fromMemorySegment(F, x, x2 + b, NATIVE), a21);
                a31 = wv.fma(FloatVector.fromMemorySegment(F, x, x3 + b, NATIVE), a31);
                c += L;
                if (c + L <= cols) {
                    wv = FloatVector.fromArray(F, w, c);
                    b = 4L * c;
                    a02 = wv.fma(FloatVector.fromMemorySegment(F, x, xo + b, NATIVE), a02);
                    a12 = wv.fma(FloatVector.fromMemorySegment(F, x, x1 + b, NATIVE), a12);
                    a22 = wv.fma(FloatVector.fromMemorySegment(F, x, x2 + b, NATIVE), a22);
                    a32 = wv.fma(FloatVector.fromMemorySegment(F, x, x3 + b, NATIVE), a32);
                    c += L;
                }
            }
        }
        float t0 = 0f, t1 = 0f, t2 = 0f, t3 = 0f;
        for (; c < cols; c++) {
            long b = 4L * c;
            t0 = Math.fma(w[c], x.get(FLOAT, xo + b), t0);
            t1 = Math.fma(w[c], x.get(FLOAT, x1 + b), t1);
            t2 = Math.fma(w[c], x.get(FLOAT, x2 + b), t2);
            t3 = Math.fma(w[c], x.get(FLOAT, x3 + b), t3);
        }
        a00.add(a01).add(a02.add(a03)).intoArray(lanes, 0);
        out.set(FLOAT, oo, sumLanes(lanes) + t0);
        a10.add(a11).add(a12.add(a13)).intoArray(lanes, 0);
        out.set(FLOAT, oo + oStride, sumLanes(lanes) + t1);
        a20.add(a21).add(a22.add(a23)).intoArray(lanes, 0);
        out.set(FLOAT, oo + 2 * oStride, sumLanes(lanes) + t2);
        a30.add(a31).add(a32.add(a33)).intoArray(lanes, 0);
        out.set(FLOAT, oo + 3 * oStride, sumLanes(lanes) + t3);
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
