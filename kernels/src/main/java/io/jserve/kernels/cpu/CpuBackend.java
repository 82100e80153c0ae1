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
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The CPU backend: Java Vector API kernels over native memory, with matmuls and attention split across a
 * persistent pool of platform threads that claim chunks of rows ({@link WorkerPool}; small operations run on the
 * calling thread alone). Weights stay in the mapped model file and are decoded row by row inside the matmul.
 * Every operation is batch invariant: a row's result does not depend on the other rows of the step or on how
 * work is split (see {@link DotKernel}).
 *
 * <p>Q8_0 weights are multiplied, by default, with activations rounded to 8 bits per block as in llama.cpp
 * ({@link Q8Path}), through the C AVX-512 VNNI kernel where it is loaded ({@link NativeQ8Kernel}). With
 * {@code -Djserve.profile=true} every operation is timed into {@link #profile()}.
 */
public final class CpuBackend extends HostBackend {
    /** Below this many values an element-wise operation runs on the calling thread alone. */
    private static final long PARALLEL_MIN_VALUES = 1 << 16;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private final Map<GgmlType, RowDecoder> decoders = new EnumMap<>(GgmlType.class);
    private final Q8Path q8Path;
    /** Whether the native path was asked for and is not available here. */
    private final boolean q8Fallback;
    private final Q8Activations q8Activations = new Q8Activations();
    /** Norm weights decoded once to float (a handful per model), by weight identity. */
    private final Map<Weight, float[]> vectors = new IdentityHashMap<>();
    private final CpuProfile profile = new CpuProfile();

    /** A backend using every available processor. */
    public CpuBackend() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A backend using {@code threads} threads, the caller's included, and the default {@link Q8Path}. */
    public CpuBackend(int threads) {
        this(threads, Q8Path.fromSystemProperty());
    }

    /** A backend using {@code threads} threads, the caller's included, and Q8_0 products by {@code q8Path}. */
    public CpuBackend(int threads, Q8Path q8Path) {
        this(threads, q8Path, false);
    }

    /** {@code alwaysSplit}: every operation is split across the threads whatever its size (tests of the split). */
    CpuBackend(int threads, Q8Path q8Path, boolean alwaysSplit) {
        // INT8_NATIVE where the C kernel does not load means FLOAT: the Java 8-bit kernel gives the C kernel's
        // bits but runs 2-3x slower than the float path, so it is used only when asked for (INT8)
        java.util.Objects.requireNonNull(q8Path, "q8Path");
        this.q8Path = q8Path == Q8Path.INT8_NATIVE && !NativeQ8Kernel.available() ? Q8Path.FLOAT : q8Path;
        this.q8Fallback = q8Path == Q8Path.INT8_NATIVE && this.q8Path == Q8Path.FLOAT;
        this.pool = new WorkerPool(threads, alwaysSplit);
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

    /** How Q8_0 products are computed: {@link Q8Path#INT8_NATIVE} only when the C kernel is loaded. */
    public Q8Path q8Path() {
        return q8Path;
    }

    /** For logs: threads and the Q8_0 path, with the reason when the native kernel is not used. */
    public String description() {
        String q8 = switch (q8Path) {
            case FLOAT -> q8Fallback ? "float (" + NativeQ8Kernel.status() + ")" : "float";
            case INT8 -> "8-bit activations, Java";
            case INT8_NATIVE -> "8-bit activations, " + NativeQ8Kernel.status();
        };
        return "cpu: %d threads, Q8_0 %s".formatted(pool.size(), q8);
    }

    /** The step profile (empty unless {@code -Djserve.profile=true}). */
    public CpuProfile profile() {
        return profile;
    }

    @Override
    public void matmul(Weight weight, Tensor x, Tensor out) {
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        HostWeight w = HostWeight.of(weight);
        HostTensor hx = HostTensor.of(x);
        HostTensor ho = HostTensor.of(out);
        Shapes.matmul(w, hx, ho);
        if (w.type() == GgmlType.Q8_0 && q8Path != Q8Path.FLOAT) {
            Q8Matmul.run(pool, scratch, q8Activations, w, hx, ho, q8Path == Q8Path.INT8_NATIVE);
        } else {
            CpuMatmul.run(pool, scratch, w, decoder(w.type()), hx, ho);
        }
        if (CpuProfile.ENABLED) {
            profile.since(CpuProfile.matmulKind(w.name()), start);
        }
    }

    @Override
    public void embed(Weight table, StepInputs step, Tensor out) {
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        super.embed(table, step, out);
        if (CpuProfile.ENABLED) {
            profile.since("embed", start);
        }
    }

    @Override
    public void storeKv(KvCacheStorage kv, int layer, Tensor k, Tensor v, StepInputs step) {
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        super.storeKv(kv, layer, k, v, step);
        if (CpuProfile.ENABLED) {
            profile.since("storeKv", start);
        }
    }

    @Override
    public void rmsNorm(Tensor x, Weight weight, float eps, Tensor out) {
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        HostTensor hx = HostTensor.of(x);
        HostTensor ho = HostTensor.of(out);
        HostWeight w = HostWeight.of(weight);
        Shapes.sameShape("rmsNorm", hx, ho);
        Shapes.vector(w, hx.cols(), "rmsNorm");
        float[] g = decodedVector(w, hx.cols());
        forRows(hx, (t0, t1, s) -> RowOps.rmsNorm(hx, g, eps, ho, t0, t1, s.lanes));
        if (CpuProfile.ENABLED) {
            profile.since("rmsNorm", start);
        }
    }

    /** Both steps per row range in one task: the rows are still in cache when they are normed. */
    @Override
    public void addRmsNorm(Tensor x, Tensor delta, Weight weight, float eps, Tensor out) {
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        HostTensor hx = HostTensor.of(x);
        HostTensor hd = HostTensor.of(delta);
        HostTensor ho = HostTensor.of(out);
        HostWeight w = HostWeight.of(weight);
        Shapes.sameShape("addRmsNorm", hx, hd, ho);
        Shapes.vector(w, hx.cols(), "addRmsNorm");
        Shapes.noAlias(hx, ho, "addRmsNorm");
        float[] g = decodedVector(w, hx.cols());
        forRows(hx, (t0, t1, s) -> {
            RowOps.add(hx, hd, hx, t0, t1);
            RowOps.rmsNorm(hx, g, eps, ho, t0, t1, s.lanes);
        });
        if (CpuProfile.ENABLED) {
            profile.since("add + rmsNorm", start);
        }
    }

    /** A vector weight (a norm's gains) decoded to float once and kept. */
    private float[] decodedVector(HostWeight w, int cols) {
        float[] g = vectors.get(w);
        if (g == null) {
            g = new float[cols];
            decoder(w.type()).decode(w.data(), 0, cols, g, scratch[0]);
            vectors.put(w, g);
        }
        return g;
    }

    @Override
    public void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step) {
        HostTensor hx = HostTensor.of(x);
        Shapes.heads(hx, step.numTokens(), numHeads, headDim, "rope");
        if (rope.ropeDim() > headDim) {
            throw new IllegalArgumentException(
                    "rope dimension %d exceeds head dim %d".formatted(rope.ropeDim(), headDim));
        }
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        float[] invFreq = new float[rope.ropeDim() / 2];
        for (int i = 0; i < invFreq.length; i++) {
            invFreq[i] = rope.inverseFrequency(i);
        }
        int[] positions = step.metadata().positions();
        forRows(hx, (t0, t1, s) -> RowOps.rope(hx, numHeads, headDim, rope, invFreq, positions, t0, t1));
        if (CpuProfile.ENABLED) {
            profile.since("rope", start);
        }
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        HostTensor g = HostTensor.of(gate);
        HostTensor u = HostTensor.of(up);
        HostTensor o = HostTensor.of(out);
        Shapes.sameShape("siluMul", g, u, o);
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        forRows(g, (t0, t1, s) -> RowOps.siluMul(g, u, o, t0, t1));
        if (CpuProfile.ENABLED) {
            profile.since("siluMul", start);
        }
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        HostTensor ha = HostTensor.of(a);
        HostTensor hb = HostTensor.of(b);
        HostTensor ho = HostTensor.of(out);
        Shapes.sameShape("add", ha, hb, ho);
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        forRows(ha, (t0, t1, s) -> RowOps.add(ha, hb, ho, t0, t1));
        if (CpuProfile.ENABLED) {
            profile.since("add", start);
        }
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
        long start = CpuProfile.ENABLED ? System.nanoTime() : 0;
        CpuAttention.run(pool, scratch, HostKvCache.of(kv), layer, HostStepInputs.of(step), config,
                HostTensor.of(q), HostTensor.of(out));
        if (CpuProfile.ENABLED) {
            profile.since("attention", start);
        }
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
        int parts = pool.parts((long) rows * x.cols(), PARALLEL_MIN_VALUES, rows);
        if (parts == 1) {
            body.run(0, rows, scratch[0]);
            return;
        }
        pool.run(parts, (chunk, worker) ->
                body.run(rows * chunk / parts, rows * (chunk + 1) / parts, scratch[worker]));
    }
}
