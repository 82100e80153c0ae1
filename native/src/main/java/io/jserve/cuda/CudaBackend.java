package io.jserve.cuda;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.LogitSummary;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUdeviceptr;

/**
 * The CUDA backend: every operation is one or two kernel launches on one stream of one device context (see
 * {@link CudaContext}). Weights are uploaded once by {@link #load}, activations live in device buffers the model
 * allocates once, and the host waits only in {@link #upload}, {@link #download} and {@link #prepareStep}, so a
 * forward pass queues its kernels without stalls. Sampling is on the host, from per-row summaries of the logits
 * ({@link #summarize}) or from whole rows for the sequences that need them.
 *
 * <p>Every kernel computes each row in an order fixed by the shapes alone (see matmul.cu and attention.cu), so
 * results are batch invariant.
 */
public final class CudaBackend implements ComputeBackend {
    private static final System.Logger LOG = System.getLogger(CudaBackend.class.getName());
    /** Rows per gather_rows launch (its by-value row list). */
    private static final int GATHER_MAX_ROWS = 255;

    private final CudaContext cuda;
    private final PinnedStaging staging;
    private final DeviceScratch stepBuffer;
    private final WeightUploader uploader;
    private final MatmulLauncher matmul;
    private final AttentionLauncher attention;
    private final SummaryLauncher summaries;
    /** Weight groups by their first part (identity): see {@link #loadGroup}. */
    private final Map<Weight, WeightGroup> groups = new IdentityHashMap<>();
    private final DeviceScratch groupProducts;
    private final boolean deviceSummaries;
    private final Map<RopeConfig, CUdeviceptr> ropeFrequencies = new HashMap<>();
    private final DeviceKvCache.Precision kvPrecision;

    CudaBackend(int deviceOrdinal) {
        this(deviceOrdinal, DeviceKvCache.Precision.fromSystemProperty());
    }

    CudaBackend(int deviceOrdinal, DeviceKvCache.Precision kvPrecision) {
        this.kvPrecision = kvPrecision;
        this.cuda = new CudaContext(deviceOrdinal);
        this.staging = new PinnedStaging(cuda);
        this.stepBuffer = new DeviceScratch(cuda);
        this.uploader = new WeightUploader(cuda);
        this.matmul = new MatmulLauncher(cuda);
        this.attention = new AttentionLauncher(cuda);
        this.summaries = new SummaryLauncher(cuda, staging);
        this.groupProducts = new DeviceScratch(cuda);
        this.deviceSummaries = !"host".equals(System.getProperty("jserve.cuda.summaries"));
    }

    /** The context, for benchmarks that time kernels with events. */
    CudaContext context() {
        return cuda;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Weight load(WeightView view) {
        cuda.makeCurrent();
        return uploader.upload(view);
    }

    /** One device matrix for the group when its types and shapes allow (see {@link WeightUploader#uploadGroup}). */
    @Override
    public List<Weight> loadGroup(List<WeightView> views) {
        cuda.makeCurrent();
        WeightGroup group = uploader.uploadGroup(views);
        if (group == null) {
            return ComputeBackend.super.loadGroup(views);
        }
        groups.put(group.parts().getFirst(), group);
        return List.copyOf(group.parts());
    }

    /**
     * A group loaded by {@link #loadGroup}, passed whole and in order, is one product over all its rows into a
     * reused buffer, then split by columns into the outputs (split_columns): two launches instead of one per
     * weight. Anything else is multiplied weight by weight.
     */
    @Override
    public void matmulGroup(List<Weight> ws, Tensor x, List<Tensor> outs) {
        cuda.makeCurrent();
        WeightGroup group = ws.isEmpty() ? null : groups.get(ws.getFirst());
        if (group == null || !group.isExactly(ws) || outs.size() != ws.size()) {
            ComputeBackend.super.matmulGroup(ws, x, outs);
            return;
        }
        DeviceTensor dx = DeviceTensor.of(x);
        int tokens = dx.rows();
        CUdeviceptr[] dst = new CUdeviceptr[3];
        int[] cols = new int[3];
        for (int i = 0; i < outs.size(); i++) {
            DeviceTensor o = DeviceTensor.of(outs.get(i));
            if (o.rows() != tokens || o.cols() != group.parts().get(i).rows()) {
                throw new IllegalArgumentException("matmulGroup output %d is [%d, %d], expected [%d, %d]"
                        .formatted(i, o.rows(), o.cols(), tokens, group.parts().get(i).rows()));
            }
            dst[i] = o.ptr();
            cols[i] = o.cols();
        }
        int rows = Math.toIntExact(group.whole().rows());
        DeviceTensor product = new DeviceTensor(groupProducts.get((long) tokens * rows * Float.BYTES), tokens, rows);
        matmul.matmul(group.whole(), dx, product);
        cuda.launch("split_columns", tokens, 1, 256, product.ptr(), dst[0], cols[0], dst[1], cols[1],
                dst[2] != null ? dst[2] : dst[0], cols[2]);
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        cuda.makeCurrent();
        return new DeviceTensor(cuda.allocate((long) rows * cols * Float.BYTES), rows, cols);
    }

    @Override
    public void release(Tensor t) {
        cuda.makeCurrent();
        cuda.free(DeviceTensor.of(t).ptr()); // waits for queued work that may still read it
    }

    @Override
    public int kvCacheBytesPerValue() {
        return kvPrecision.bytes;
    }

    @Override
    public KvCacheStorage allocateKvCache(KvCacheShape shape) {
        cuda.makeCurrent();
        // a model's weights are all loaded before its KV pool is allocated: the widening summary is per model
        String widened = uploader.widener().takeSummary();
        if (widened != null) {
            LOG.log(System.Logger.Level.INFO, widened);
        }
        return new DeviceKvCache(shape, kvPrecision, cuda);
    }

    @Override
    public StepInputs prepareStep(int[] tokenIds, AttentionMetadata metadata) {
        cuda.makeCurrent();
        int[] packed = DeviceStepInputs.pack(tokenIds, metadata);
        CUdeviceptr base = stepBuffer.get((long) packed.length * Integer.BYTES);
        staging.upload(packed, base);
        return new DeviceStepInputs(tokenIds, metadata, base);
    }

    @Override
    public void upload(float[] src, Tensor t) {
        cuda.makeCurrent();
        DeviceTensor d = DeviceTensor.of(t);
        if (src.length != d.size()) {
            throw new IllegalArgumentException("upload of %d values into a [%d, %d] tensor"
                    .formatted(src.length, d.rows(), d.cols()));
        }
        staging.upload(src, d.ptr());
    }

    @Override
    public void download(Tensor t, int[] rows, float[] dst) {
        cuda.makeCurrent();
        DeviceTensor d = DeviceTensor.of(t);
        if (dst.length != (long) rows.length * d.cols()) {
            throw new IllegalArgumentException("download of %d rows of %d values into %d floats"
                    .formatted(rows.length, d.cols(), dst.length));
        }
        // Consecutive rows go in one copy: a decode step asking for every row is a single transfer.
        int runs = 0;
        CUdeviceptr[] starts = new CUdeviceptr[rows.length];
        int[] counts = new int[rows.length];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= d.rows()) {
                throw new IndexOutOfBoundsException("row %d of a tensor of %d rows".formatted(rows[i], d.rows()));
            }
            if (runs > 0 && rows[i] == rows[i - 1] + 1) {
                counts[runs - 1]++;
            } else {
                starts[runs] = d.ptr().withByteOffset((long) rows[i] * d.cols() * Float.BYTES);
                counts[runs++] = 1;
            }
        }
        staging.download(java.util.Arrays.copyOf(starts, runs), java.util.Arrays.copyOf(counts, runs), d.cols(), dst);
    }

    /**
     * On the device (sampling.cu's {@code summarize_logits}), copying back {@code k * 8 + 8} bytes a row instead
     * of the row; {@code -Djserve.cuda.summaries=host} copies every row and summarizes on the host instead (the
     * interface's default). The kernel was written in a session without a GPU: its logic passes on the CPU
     * emulator ({@code EmulatedSummaryKernelTest}); {@code CudaSummaryParityTest} checks it on a device.
     */
    @Override
    public void summarize(Tensor logits, LogitSummary out) {
        cuda.makeCurrent();
        if (deviceSummaries) {
            summaries.summarize(DeviceTensor.of(logits), out);
        } else {
            ComputeBackend.super.summarize(logits, out);
        }
    }

    /** The summary kernel whatever the property says: for the parity test and the benchmarks. */
    void summarizeOnDevice(Tensor logits, LogitSummary out) {
        cuda.makeCurrent();
        summaries.summarize(DeviceTensor.of(logits), out);
    }

    /** On the device, in the stream: no host round trip, and a decode step's graph holds it. */
    @Override
    public void gatherRows(Tensor src, int[] rows, Tensor dst) {
        cuda.makeCurrent();
        DeviceTensor s = DeviceTensor.of(src);
        DeviceTensor d = DeviceTensor.of(dst);
        if (d.rows() != rows.length || d.cols() != s.cols()) {
            throw new IllegalArgumentException("gather of %d rows of %d values into [%d, %d]"
                    .formatted(rows.length, s.cols(), d.rows(), d.cols()));
        }
        for (int r : rows) {
            if (r < 0 || r >= s.rows()) {
                throw new IndexOutOfBoundsException("row %d of a tensor of %d rows".formatted(r, s.rows()));
            }
        }
        for (int at = 0; at < rows.length; at += GATHER_MAX_ROWS) {
            int n = Math.min(GATHER_MAX_ROWS, rows.length - at);
            int[] list = new int[GATHER_MAX_ROWS + 1];  // struct RowList { int n; int rows[255]; } in elementwise.cu
            list[0] = n;
            System.arraycopy(rows, at, list, 1, n);
            cuda.launch("gather_rows", n, 1, threadsFor(s.cols()), s.ptr(),
                    d.ptr().withByteOffset((long) at * d.cols() * Float.BYTES), s.cols(), list);
        }
    }

    @Override
    public void embed(Weight table, StepInputs step, Tensor out) {
        cuda.makeCurrent();
        DeviceWeight w = DeviceWeight.of(table);
        DeviceStepInputs s = DeviceStepInputs.of(step);
        DeviceTensor o = DeviceTensor.of(out);
        if (o.rows() != s.numTokens() || o.cols() != w.cols()) {
            throw new IllegalArgumentException("embed of %d tokens from %s [%d, %d] into [%d, %d]"
                    .formatted(s.numTokens(), w.name(), w.rows(), w.cols(), o.rows(), o.cols()));
        }
        for (int id : s.hostTokenIds()) {
            if (id < 0 || id >= w.rows()) {
                throw new IllegalArgumentException("token id %d outside %s's %d rows".formatted(id, w.name(), w.rows()));
            }
        }
        cuda.launch("embed", s.numTokens(), 1, rowThreads(w.cols()), w.format().id(), w.data(), w.scales(),
                w.paddedCols(),
                s.tokenIdsPtr(), o.ptr(), o.cols());
    }

    @Override
    public void matmul(Weight w, Tensor x, Tensor out) {
        cuda.makeCurrent();
        matmul.matmul(DeviceWeight.of(w), DeviceTensor.of(x), DeviceTensor.of(out));
    }

    @Override
    public void rmsNorm(Tensor x, Weight w, float eps, Tensor out) {
        cuda.makeCurrent();
        DeviceTensor dx = DeviceTensor.of(x);
        DeviceTensor dout = DeviceTensor.of(out);
        DeviceWeight dw = DeviceWeight.of(w);
        requireSameShape(dx, dout, "rmsNorm");
        if (dw.cols() != dx.cols()) {
            throw new IllegalArgumentException("rmsNorm weight %s has %d values for rows of %d"
                    .formatted(dw.name(), dw.cols(), dx.cols()));
        }
        cuda.launch("rms_norm", dx.rows(), 1, rowThreads(dx.cols()), dx.ptr(), dw.format().id(), dw.data(),
                dw.scales(), dw.paddedCols(), eps, dout.ptr(), dx.cols());
    }

    /** One launch instead of add's and rms_norm's, bit-identical to them (elementwise.cu). */
    @Override
    public void addRmsNorm(Tensor x, Tensor delta, Weight w, float eps, Tensor out) {
        cuda.makeCurrent();
        DeviceTensor dx = DeviceTensor.of(x);
        DeviceTensor dd = DeviceTensor.of(delta);
        DeviceTensor dout = DeviceTensor.of(out);
        DeviceWeight dw = DeviceWeight.of(w);
        requireSameShape(dx, dd, "addRmsNorm");
        requireSameShape(dx, dout, "addRmsNorm");
        if (DeviceAddress.of(dx.ptr()) == DeviceAddress.of(dout.ptr())) {
            throw new IllegalArgumentException("addRmsNorm: out must not alias x");
        }
        if (dw.cols() != dx.cols()) {
            throw new IllegalArgumentException("addRmsNorm weight %s has %d values for rows of %d"
                    .formatted(dw.name(), dw.cols(), dx.cols()));
        }
        cuda.launch("add_rms_norm", dx.rows(), 1, rowThreads(dx.cols()), dx.ptr(), dd.ptr(), dw.format().id(),
                dw.data(), dw.scales(), dw.paddedCols(), eps, dout.ptr(), dx.cols());
    }

    @Override
    public void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step) {
        cuda.makeCurrent();
        DeviceTensor dx = DeviceTensor.of(x);
        DeviceStepInputs s = DeviceStepInputs.of(step);
        checkRope(dx, numHeads, headDim, rope, s);
        cuda.launch("rope", dx.rows(), 1, threadsFor(numHeads * rope.ropeDim() / 2), dx.ptr(), dx.cols(), numHeads,
                headDim, rope.ropeDim(), rope.neox() ? 1 : 0, frequencies(rope), s.positions(), rope.magnitudeScale());
    }

    /** One launch for both rotations and the store (elementwise.cu's rope_store_kv), bit-identical to the three. */
    @Override
    public void ropeAndStoreKv(Tensor q, Tensor k, Tensor v, int numHeads, int numKvHeads, int headDim,
                               RopeConfig rope, KvCacheStorage kv, int layer, StepInputs step) {
        cuda.makeCurrent();
        DeviceTensor dq = DeviceTensor.of(q);
        DeviceTensor dk = DeviceTensor.of(k);
        DeviceStepInputs s = DeviceStepInputs.of(step);
        DeviceKvCache cache = DeviceKvCache.of(kv);
        checkRope(dq, numHeads, headDim, rope, s);
        checkRope(dk, numKvHeads, headDim, rope, s);
        if (cache.shape().headDim() != headDim || cache.shape().numKvHeads() != numKvHeads) {
            throw new IllegalArgumentException("ropeAndStoreKv of %d KV heads of %d into a cache of %s"
                    .formatted(numKvHeads, headDim, cache.shape()));
        }
        attention.ropeAndStoreKv(cache, layer, dq, numHeads, dk, DeviceTensor.of(v), rope, frequencies(rope), s);
    }

    private static void checkRope(DeviceTensor x, int numHeads, int headDim, RopeConfig rope, DeviceStepInputs s) {
        if (x.rows() != s.numTokens() || (long) numHeads * headDim != x.cols() || rope.ropeDim() > headDim) {
            throw new IllegalArgumentException("rope of %d heads of %d (rope dim %d) on [%d, %d] for %d tokens"
                    .formatted(numHeads, headDim, rope.ropeDim(), x.rows(), x.cols(), s.numTokens()));
        }
    }

    /** The rope's inverse frequencies on the device, uploaded on first use. */
    private CUdeviceptr frequencies(RopeConfig rope) {
        return ropeFrequencies.computeIfAbsent(rope, r -> {
            float[] f = new float[r.ropeDim() / 2];
            for (int i = 0; i < f.length; i++) {
                f[i] = r.inverseFrequency(i);
            }
            CUdeviceptr p = cuda.allocate((long) f.length * Float.BYTES);
            staging.upload(f, p);
            return p;
        });
    }

    @Override
    public void siluMul(Tensor gate, Tensor up, Tensor out) {
        elementwise("silu_mul", gate, up, out);
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        elementwise("add", a, b, out);
    }

    @Override
    public void scale(Tensor x, float s, Tensor out) {
        unary("scale", x, s, out);
    }

    @Override
    public void softcap(Tensor x, float cap, Tensor out) {
        if (!(cap > 0) || Float.isInfinite(cap)) {
            throw new IllegalArgumentException("soft-cap must be positive and finite, got " + cap);
        }
        unary("softcap", x, cap, out);
    }

    @Override
    public void geluMul(Tensor gate, Tensor up, Tensor out) {
        elementwise("gelu_mul", gate, up, out);
    }

    @Override
    public void addRow(Tensor x, Tensor row, Tensor out) {
        cuda.makeCurrent();
        DeviceTensor dx = DeviceTensor.of(x);
        DeviceTensor dr = DeviceTensor.of(row);
        DeviceTensor dout = DeviceTensor.of(out);
        if (dr.rows() != 1 || dr.cols() != dx.cols()) {
            throw new IllegalArgumentException("addRow: row is [%d, %d], expected [1, %d]"
                    .formatted(dr.rows(), dr.cols(), dx.cols()));
        }
        requireSameShape(dx, dout, "addRow");
        long n = dx.size();
        cuda.launch("add_row", grid(n), 1, 256, dx.ptr(), dr.ptr(), dout.ptr(), dx.cols(), n);
    }

    private void unary(String kernel, Tensor x, float c, Tensor out) {
        cuda.makeCurrent();
        DeviceTensor dx = DeviceTensor.of(x);
        DeviceTensor dout = DeviceTensor.of(out);
        requireSameShape(dx, dout, kernel);
        long n = dx.size();
        cuda.launch(kernel, grid(n), 1, 256, dx.ptr(), c, dout.ptr(), n);
    }

    /** Blocks of 256 threads for a grid-stride loop over {@code n} values. */
    private static int grid(long n) {
        return (int) Math.min((n + 255) / 256, 4096);
    }

    private void elementwise(String kernel, Tensor a, Tensor b, Tensor out) {
        cuda.makeCurrent();
        DeviceTensor da = DeviceTensor.of(a);
        DeviceTensor db = DeviceTensor.of(b);
        DeviceTensor dout = DeviceTensor.of(out);
        requireSameShape(da, db, kernel);
        requireSameShape(da, dout, kernel);
        long n = da.size();
        cuda.launch(kernel, grid(n), 1, 256, da.ptr(), db.ptr(), dout.ptr(), n);
    }

    @Override
    public void storeKv(KvCacheStorage kv, int layer, Tensor k, Tensor v, StepInputs step) {
        cuda.makeCurrent();
        attention.storeKv(DeviceKvCache.of(kv), layer, DeviceTensor.of(k), DeviceTensor.of(v),
                DeviceStepInputs.of(step));
    }

    @Override
    public void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config,
                          Tensor out) {
        cuda.makeCurrent();
        attention.attention(DeviceKvCache.of(kv), layer, DeviceTensor.of(q), DeviceStepInputs.of(step), config,
                DeviceTensor.of(out));
    }

    static void requireSameShape(DeviceTensor a, DeviceTensor b, String op) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException("%s: shapes [%d, %d] and [%d, %d] differ"
                    .formatted(op, a.rows(), a.cols(), b.rows(), b.cols()));
        }
    }

    /**
     * Threads per block for a kernel that walks one row of {@code n} values per block (rms_norm, embed): about 4
     * values a thread, a multiple of 32, at most 1024. A function of the row length only, so a row's reduction
     * order never depends on the step.
     */
    static int rowThreads(long n) {
        return (int) Math.min(1024, Math.max(32, (n / 4 + 31) / 32 * 32));
    }

    /** Threads per block for a row of {@code n} values: a multiple of 32, at most 256. */
    static int threadsFor(int n) {
        return Math.min(256, Math.max(32, (n + 31) / 32 * 32));
    }

    /** The device's free and total bytes ({@code cuMemGetInfo}), for sizing the KV pool by a memory fraction. */
    @Override
    public java.util.Optional<io.jserve.kernels.DeviceMemory> deviceMemory() {
        cuda.makeCurrent();
        long[] free = {0};
        long[] total = {0};
        jcuda.driver.JCudaDriver.cuMemGetInfo(free, total);
        return java.util.Optional.of(new io.jserve.kernels.DeviceMemory(free[0], total[0]));
    }

    @Override
    public void close() {
        cuda.makeCurrent();
        staging.close();
        cuda.close();
    }
}
