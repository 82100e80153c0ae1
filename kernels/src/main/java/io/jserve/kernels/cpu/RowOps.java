package io.jserve.kernels.cpu;

import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.VectorExp;
import io.jserve.kernels.host.HostTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The row-local operations of the CPU backend (RMS norm, RoPE, SwiGLU, add), each applied to a range of rows
 * so the backend can split large batches across workers. Every row is computed the same way whatever range it
 * is in. Exponentials and trigonometry use {@link Math} one value at a time, as the Vector API's versions may
 * differ between the interpreter and compiled code.
 */
final class RowOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private RowOps() {
    }

    /**
     * RMS norm of rows {@code [t0, t1)}: sum of squares in float lanes (fixed order, lanes summed in double),
     * then as ggml {@code scale = 1 / sqrtf(mean + eps)} and {@code (x * scale) * g}.
     */
    static void rmsNorm(HostTensor x, float[] g, float eps, HostTensor out, int t0, int t1, float[] lanes) {
        int cols = x.cols();
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        for (int t = t0; t < t1; t++) {
            long xo = x.rowOffset(t);
            FloatVector acc = FloatVector.zero(F);
            int c = 0;
            for (; c + L <= cols; c += L) {
                FloatVector v = FloatVector.fromMemorySegment(F, xs, xo + 4L * c, NATIVE);
                acc = v.fma(v, acc);
            }
            acc.intoArray(lanes, 0);
            double sum = 0;
            for (float lane : lanes) {
                sum += lane;
            }
            for (int k = c; k < cols; k++) {
                float v = xs.get(FLOAT, xo + 4L * k);
                sum += (double) v * v;
            }
            float mean = (float) (sum / cols);
            float scale = 1.0f / (float) Math.sqrt(mean + eps);
            long oo = out.rowOffset(t);
            c = 0;
            for (; c + L <= cols; c += L) {
                FloatVector v = FloatVector.fromMemorySegment(F, xs, xo + 4L * c, NATIVE);
                v.mul(scale).mul(FloatVector.fromArray(F, g, c)).intoMemorySegment(os, oo + 4L * c, NATIVE);
            }
            for (; c < cols; c++) {
                os.set(FLOAT, oo + 4L * c, xs.get(FLOAT, xo + 4L * c) * scale * g[c]);
            }
        }
    }

    /**
     * RoPE of rows {@code [t0, t1)}: the angles of a token are computed once (cosine and sine times the magnitude
     * scale) and applied to all its heads.
     */
    static void rope(HostTensor x, int numHeads, int headDim, RopeConfig rope, float[] invFreq, int[] positions,
                     int t0, int t1) {
        int half = rope.ropeDim() / 2;
        float[] cos = new float[half];
        float[] sin = new float[half];
        MemorySegment xs = x.segment();
        for (int t = t0; t < t1; t++) {
            for (int i = 0; i < half; i++) {
                float theta = positions[t] * invFreq[i];
                cos[i] = (float) Math.cos(theta) * rope.magnitudeScale();
                sin[i] = (float) Math.sin(theta) * rope.magnitudeScale();
            }
            long row = x.rowOffset(t);
            for (int h = 0; h < numHeads; h++) {
                long base = row + 4L * h * headDim;
                for (int i = 0; i < half; i++) {
                    long a = base + 4L * (rope.neox() ? i : 2 * i);
                    long b = base + 4L * (rope.neox() ? i + half : 2 * i + 1);
                    float x0 = xs.get(FLOAT, a);
                    float x1 = xs.get(FLOAT, b);
                    xs.set(FLOAT, a, x0 * cos[i] - x1 * sin[i]);
                    xs.set(FLOAT, b, x0 * sin[i] + x1 * cos[i]);
                }
            }
        }
    }

    /**
     * {@code out = gate / (1 + exp(-gate)) * up} on rows {@code [t0, t1)}, with {@link VectorExp} (deterministic,
     * within a few ulp of {@link Math#exp}, which costs some 6 ns a value here: 8 % of a batch-8 decode step).
     */
    static void siluMul(HostTensor gate, HostTensor up, HostTensor out, int t0, int t1) {
        MemorySegment gs = gate.segment();
        MemorySegment us = up.segment();
        MemorySegment os = out.segment();
        long from = gate.rowOffset(t0);
        long to = gate.rowOffset(t1);
        long o = from;
        for (; o + 4L * L <= to; o += 4L * L) {
            FloatVector g = FloatVector.fromMemorySegment(F, gs, o, NATIVE);
            FloatVector e = VectorExp.exp(g.neg());
            g.div(e.add(1f)).mul(FloatVector.fromMemorySegment(F, us, o, NATIVE)).intoMemorySegment(os, o, NATIVE);
        }
        for (; o < to; o += 4) {
            float g = gs.get(FLOAT, o);
            os.set(FLOAT, o, g / (VectorExp.exp(-g) + 1f) * us.get(FLOAT, o));
        }
    }

    /** {@code out = a + b} on rows {@code [t0, t1)}. */
    static void add(HostTensor a, HostTensor b, HostTensor out, int t0, int t1) {
        MemorySegment as = a.segment();
        MemorySegment bs = b.segment();
        MemorySegment os = out.segment();
        long o = a.rowOffset(t0);
        long to = a.rowOffset(t1);
        for (; o + 4L * L <= to; o += 4L * L) {
            FloatVector.fromMemorySegment(F, as, o, NATIVE).add(FloatVector.fromMemorySegment(F, bs, o, NATIVE))
                    .intoMemorySegment(os, o, NATIVE);
        }
        for (; o < to; o += 4) {
            os.set(FLOAT, o, as.get(FLOAT, o) + bs.get(FLOAT, o));
        }
    }
}
