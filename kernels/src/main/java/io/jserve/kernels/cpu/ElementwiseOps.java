package io.jserve.kernels.cpu;

import io.jserve.kernels.Activations;
import io.jserve.kernels.host.HostTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The element-wise operations some architectures add to the Llama block (Gemma's embedding scale, soft-cap and
 * gated GELU; Qwen2's biases), each on a range of rows so the backend can split them across workers. Each value
 * is one float operation (or one {@link Activations} call), so the results equal the reference backend's bit for
 * bit and do not depend on the split.
 */
final class ElementwiseOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private ElementwiseOps() {
    }

    /** {@code out = x * s} on rows {@code [t0, t1)}. */
    static void scale(HostTensor x, float s, HostTensor out, int t0, int t1) {
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        long o = x.rowOffset(t0);
        long to = x.rowOffset(t1);
        for (; o + 4L * L <= to; o += 4L * L) {
            FloatVector.fromMemorySegment(F, xs, o, NATIVE).mul(s).intoMemorySegment(os, o, NATIVE);
        }
        for (; o < to; o += 4) {
            os.set(FLOAT, o, xs.get(FLOAT, o) * s);
        }
    }

    /** {@code out[t, :] = x[t, :] + row[0, :]} on rows {@code [t0, t1)}. */
    static void addRow(HostTensor x, HostTensor row, HostTensor out, int t0, int t1) {
        int cols = x.cols();
        MemorySegment xs = x.segment();
        MemorySegment rs = row.segment();
        MemorySegment os = out.segment();
        for (int t = t0; t < t1; t++) {
            long base = x.rowOffset(t);
            int c = 0;
            for (; c + L <= cols; c += L) {
                FloatVector.fromMemorySegment(F, xs, base + 4L * c, NATIVE)
                        .add(FloatVector.fromMemorySegment(F, rs, 4L * c, NATIVE))
                        .intoMemorySegment(os, base + 4L * c, NATIVE);
            }
            for (; c < cols; c++) {
                os.set(FLOAT, base + 4L * c, xs.get(FLOAT, base + 4L * c) + rs.get(FLOAT, 4L * c));
            }
        }
    }

    /** {@code out = cap * tanh(x / cap)} on rows {@code [t0, t1)}. */
    static void softcap(HostTensor x, float cap, HostTensor out, int t0, int t1) {
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        for (long o = x.rowOffset(t0), to = x.rowOffset(t1); o < to; o += 4) {
            os.set(FLOAT, o, Activations.softcap(xs.get(FLOAT, o), cap));
        }
    }

    /** {@code out = gelu(gate) * up} (ggml's fp16-table GELU) on rows {@code [t0, t1)}. */
    static void geluMul(HostTensor gate, HostTensor up, HostTensor out, int t0, int t1) {
        MemorySegment gs = gate.segment();
        MemorySegment us = up.segment();
        MemorySegment os = out.segment();
        for (long o = gate.rowOffset(t0), to = gate.rowOffset(t1); o < to; o += 4) {
            os.set(FLOAT, o, Activations.gelu(gs.get(FLOAT, o)) * us.get(FLOAT, o));
        }
    }
}
