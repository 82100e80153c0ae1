package io.jserve.kernels.cpu;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.host.HostBackend;
import io.jserve.kernels.host.HostKvCache;
import io.jserve.kernels.host.HostStepInputs;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.host.HostWeight;
import io.jserve.kernels.host.Shapes;

import java.util.EnumMap;
import java.util.Map;

/**
 * The CPU backend: Java Vector API kernels over native memory, with matmuls and attention split across a
 * persistent pool of platform threads (one hand-off per operation). Weights stay in the mapped model file and
 * are decoded row by row inside the matmul. Every operation is batch invariant: a row's result does not depend
 * on the other rows of the step or on how work is split (see {@link DotKernel}).
 */
public final class CpuBackend extends HostBackend {
    /** Below this many values an element-wise operation runs on the calling thread alone. */
    private static final long PARALLEL_MIN_VALUES = 1 << 16;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private final Map<GgmlType, RowDecoder> decoders = new EnumMap<>(GgmlType.class);

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend using {@code threads} threads, the caller's included. */
    public CpuBackend(int threads) {
        this.pool = new WorkerPool(threads);
        this.scratch = new Scratch[threads];
        for (int i = 0; i < threads; i++) {
            scratch[i] = new Scratch();
        }
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** Number of threads used inside an operation. */
    public int threads() {
        return pool.size();
    }

    @Override
    public void matmul(Weight weight, Tensor x, Tensor out) {
        HostWeight w = HostWeight.of(weight);
        HostTensor hx = HostTensor.of(x);
        HostTensor ho = HostTensor.of(out);
        Shapes.matmul(w, hx, ho);
        CpuMatmul.run(pool, scratch, w, decoder(w.type()), hx, ho);
    }

    @Override
    public void rmsNorm(Tensor x, Weight weight, float eps, Tensor out) {
        HostTensor hx = HostTensor.of(x);
        HostTensor ho = HostTensor.of(out);
        HostWeight w = HostWeight.of(weight);
        Shapes.sameShape("rmsNorm", hx, ho);
        Shapes.vector(w, hx.cols(), "rmsNorm");
        float[] g = new float[hx.cols()];
        decoder(w.type()).decode(w.data(), 0, hx.cols(), g, scratch[0]);
        forRows(hx, (t0, t1, s) -> RowOps.rmsNorm(hx, g, eps, ho, t0, t1, s.lanes));
    }

    @Override
    public void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step) {
        HostTensor hx = HostTensor.of(x);
        Shapes.heads(hx, step.numTokens(), numHeads, headDim, "rope");
        if (rope.ropeDim() > headDim) {
            throw new IllegalArgumentException(
                    "rope dimension %d exceeds head dim %d".formatted(rope.ropeDim(), headDim));
        }
        float[] invFreq = new float[rope.ropeDim() / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = rope.inverseFrequency(i);
        }
        int[] positions = step.metadata().positions();
        forRows(hx, (t0, t1, s) -> RowOps.rope(hx, numHeads, headDim, rope, invFreq, positions, t0, t1));
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        HostTensor g = HostTensor.of(gate);
        HostTensor u = HostTensor.of(up);
        HostTensor o = HostTensor.of(out);
        Shapes.sameShape("siluMul", g, u, o);
        forRows(g, (t0, t1, s) -> RowOps.siluMul(g, u, o, t0, t1));
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        HostTensor ha = HostTensor.of(a);
        HostTensor hb = HostTensor.of(b);
        HostTensor ho = HostTensor.of(out);
        Shapes.sameShape("add", ha, hb, ho);
        forRows(ha, (t0, t1, s) -> RowOps.add(ha, hb, ho, t0, t1));
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        HostTensor hx = HostTensor.of(x);
        HostTensor ho = HostTensor.of(out);
        Shapes.sameShape("scale", hx, ho);
        forRows(hx, (t0, t1, sc) -> ElementwiseOps.scale(hx, s, ho, t0, t1));
    }

    @Override
    public void addRow(Tensor x, Tensor row, Tensor out) {
        HostTensor hx = HostTensor.of(x);
        HostTensor hr = HostTensor.of(row);
        HostTensor ho = HostTensor.of(out);
        Shapes.sameShape("addRow", hx, ho);
        Shapes.row(hr, hx.cols(), "addRow");
        forRows(hx, (t0, t1, sc) -> ElementwiseOps.addRow(hx, hr, ho, t0, t1));
    }

    @Override
    public void softcap(Tensor x, float cap, Tensor out) {
        HostTensor hx = HostTensor.of(x);
        HostTensor ho = HostTensor.of(out);
        Shapes.sameShape("softcap", hx, ho);
        Shapes.softcap(cap);
        forRows(hx, (t0, t1, sc) -> ElementwiseOps.softcap(hx, cap, ho, t0, t1));
    }

    @Override
    public void geluMul(Tensor gate, Tensor up, Tensor out) {
        HostTensor g = HostTensor.of(gate);
        HostTensor u = HostTensor.of(up);
        HostTensor o = HostTensor.of(out);
        Shapes.sameShape("geluMul", g, u, o);
        forRows(g, (t0, t1, sc) -> ElementwiseOps.geluMul(g, u, o, t0, t1));
    }

    @Override
    public void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config,
                          Tensor out) {
        CpuAttention.run(pool, scratch, HostKvCache.of(kv), layer, HostStepInputs.of(step), config,
                HostTensor.of(q), HostTensor.of(out));
    }

    @Override
    public void close() {
        pool.close();
    }

    private RowDecoder decoder(GgmlType type) {
        return decoders.computeIfAbsent(type, RowDecoder::of);
    }

    /** Rows {@code [t0, t1)} of an operation, with the worker's scratch. */
    @FunctionalInterface
    private interface RowRange {
        void run(int t0, int t1, Scratch scratch);
    }

    /** Runs {@code body} over all rows of {@code x}, split across the workers when the tensor is large. */
    private void forRows(HostTensor x, RowRange body) {
        int rows = x.rows();
        int parts = (long) rows * x.cols() < PARALLEL_MIN_VALUES ? 1 : Math.min(pool.size(), rows);
        if (parts == 1) {
            body.run(0, rows, scratch[0]);
            return;
        }
        pool.run(worker -> {
            if (worker < parts) {
                body.run(rows * worker / parts, rows * (worker + 1) / parts, scratch[worker]);
            }
        });
    }
}
