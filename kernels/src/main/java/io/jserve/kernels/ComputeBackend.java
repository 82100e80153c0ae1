package io.jserve.kernels;

import java.util.List;

/**
 * The compute seam: the dozen operations a transformer forward pass needs, with no knowledge of any model.
 * The model (in the engine) is written once against this interface; the scalar reference, the Vector API CPU
 * backend and the CUDA backend implement it.
 *
 * <p>Conventions. Activations are float32 {@link Tensor}s of shape {@code [tokens, cols]}; every operation
 * works on all rows of the tensors it is given (pass {@link Tensor#head(int)} views for a step with fewer
 * tokens than the buffers hold). Outputs may alias inputs where noted. A backend is used by one thread at a
 * time (the engine thread); it may use more threads inside an operation.
 *
 * <p>Batch invariance: every backend computes each row of every operation the same way whatever the other
 * rows of the step are, so a sequence's tokens do not depend on what it was batched with.
 */
public interface ComputeBackend extends AutoCloseable {

    /** Short name for logs ("reference", "cpu", "cuda"). */
    String name();

    /** Makes a model weight usable by this backend (no copy on the CPU; an upload on a GPU). */
    Weight load(WeightView view);

    /**
     * Loads weights that are multiplied with the same input ({@code attn_q}, {@code attn_k}, {@code attn_v}) so that
     * {@link #matmulGroup} may run them as one matrix; returns one weight per view, each also usable alone. The
     * default loads them apart; a GPU backend stores them as one matrix (one launch over all their rows, which
     * streams the small K and V projections far better than three launches).
     */
    default List<Weight> loadGroup(List<WeightView> views) {
        return views.stream().map(this::load).toList();
    }

    /** A new activation buffer of {@code rows x cols} floats, zero-filled. */
    Tensor allocate(int rows, int cols);

    /**
     * Gives back a buffer from {@link #allocate} that will not be used again (its views neither). The default
     * leaves it to the garbage collector, which is right for host memory; device backends free it.
     */
    default void release(Tensor t) {
    }

    /** The paged KV pool, zero-filled. */
    KvCacheStorage allocateKvCache(KvCacheShape shape);

    /** Makes one step's token ids and attention layout available to the operations below. */
    StepInputs prepareStep(int[] tokenIds, AttentionMetadata metadata);

    /** Writes host values into a tensor: {@code src.length == t.rows() * t.cols()}, row-major. */
    void upload(float[] src, Tensor t);

    /** Copies whole rows of a tensor to the host: {@code dst} receives {@code rows.length * t.cols()} values. */
    void download(Tensor t, int[] rows, float[] dst);

    /**
     * Gathers rows: {@code dst[i, :] = src[rows[i], :]} ({@code dst} has {@code rows.length} rows). Used to
     * compute logits only for the rows that are sampled. The default goes through the host; backends with
     * device memory should override it.
     */
    default void gatherRows(Tensor src, int[] rows, Tensor dst) {
        float[] tmp = new float[rows.length * src.cols()];
        download(src, rows, tmp);
        upload(tmp, dst);
    }

    /**
     * Summarizes every row of {@code logits} into {@code out} (already {@link LogitSummary#reset reset} to
     * {@code logits.rows()} rows of {@code logits.cols()} values): each row's best candidates and, for the rows
     * that ask, its normalizers, exactly as {@link LogitSummaries#summarizeRow} defines them (normalizers within
     * float rounding). Sampling then copies whole rows only for the few sequences that need them. The default
     * goes through the host; backends with device memory should override it.
     */
    default void summarize(Tensor logits, LogitSummary out) {
        LogitSummaries.checkShape(logits, out);
        int[] rows = new int[logits.rows()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = r;
        }
        float[] values = new float[rows.length * logits.cols()];
        download(logits, rows, values);
        for (int r = 0; r < rows.length; r++) {
            LogitSummaries.summarizeRow(values, r * logits.cols(), out, r);
        }
    }

    /** {@code out[t, :] = dequantize(table[tokenIds[t], :])} for each token of the step. */
    void embed(Weight table, StepInputs step, Tensor out);

    /**
     * Matrix product with a stored weight: {@code out[t, r] = sum_c w[r, c] * x[t, c]}.
     * {@code x} is {@code [tokens, w.cols]}, {@code out} is {@code [tokens, w.rows]}; they must not alias.
     */
    void matmul(Weight w, Tensor x, Tensor out);

    /**
     * {@code outs[i] = ws[i] . x} for every {@code i}: the products of one input, as {@link #matmul} computes each.
     * Weights loaded together by {@link #loadGroup}, passed whole and in order, may run as one product. The default
     * runs them one by one.
     */
    default void matmulGroup(List<Weight> ws, Tensor x, List<Tensor> outs) {
        if (ws.size() != outs.size()) {
            throw new IllegalArgumentException("%d weights for %d outputs".formatted(ws.size(), outs.size()));
        }
        for (int i = 0; i < ws.size(); i++) {
            matmul(ws.get(i), x, outs.get(i));
        }
    }

    /** RMS norm per row: {@code out[t, i] = x[t, i] / sqrt(mean(x[t, :]^2) + eps) * w[i]}. May alias. */
    void rmsNorm(Tensor x, Weight w, float eps, Tensor out);

    /**
     * Rotary embedding, in place, on {@code x} seen as {@code [tokens, numHeads * headDim]}: pair {@code i} of
     * each head of token {@code t} is rotated by {@code position(t) * rope.inverseFrequency(i)}, and both values
     * are multiplied by {@code rope.magnitudeScale()}.
     */
    void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step);

    /** {@code out = silu(gate) * up}, element-wise, with {@code silu(x) = x / (1 + e^-x)}. May alias. */
    void siluMul(Tensor gate, Tensor up, Tensor out);

    /** {@code out = a + b}, element-wise. May alias. */
    void add(Tensor a, Tensor b, Tensor out);

    /**
     * The residual step between two blocks in one pass: {@code x = x + delta}, then {@code out = rmsNorm(x) * w}
     * (the next block's input norm). Gives exactly what {@link #add add(x, delta, x)} then
     * {@link #rmsNorm rmsNorm(x, w, eps, out)} give. {@code out} may alias {@code delta}, not {@code x}. The
     * default is those two operations; backends fuse them to save a pass over {@code x} and a launch.
     */
    default void addRmsNorm(Tensor x, Tensor delta, Weight w, float eps, Tensor out) {
        add(x, delta, x);
        rmsNorm(x, w, eps, out);
    }

    /**
     * {@code out = x * s}, element-wise (Gemma's embedding scale). May alias. The default goes through the host
     * (download, compute, upload); backends with device memory should override it.
     */
    default void scale(Tensor x, float s, Tensor out) {
        float[] v = hostValues(x, out, "scale");
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        upload(v, out);
    }

    /**
     * {@code out[t, :] = x[t, :] + row[0, :]} for every row {@code t}: a bias added to each token (Qwen2's
     * q/k/v biases). {@code row} is {@code [1, x.cols]}. May alias {@code x}. The default goes through the host.
     */
    default void addRow(Tensor x, Tensor row, Tensor out) {
        if (row.rows() != 1 || row.cols() != x.cols()) {
            throw new IllegalArgumentException("addRow: row is [%d, %d], expected [1, %d]"
                    .formatted(row.rows(), row.cols(), x.cols()));
        }
        float[] v = hostValues(x, out, "addRow");
        float[] b = new float[row.cols()];
        download(row, new int[] {0}, b);
        for (int i = 0; i < v.length; i++) {
            v[i] += b[i % b.length];
        }
        upload(v, out);
    }

    /**
     * {@code out = cap * tanh(x / cap)}, element-wise, computed as {@link Activations#softcap} (Gemma-2's final
     * logit soft-cap). May alias. The default goes through the host.
     */
    default void softcap(Tensor x, float cap, Tensor out) {
        if (!(cap > 0) || Float.isInfinite(cap)) {
            throw new IllegalArgumentException("soft-cap must be positive and finite, got " + cap);
        }
        float[] v = hostValues(x, out, "softcap");
        for (int i = 0; i < v.length; i++) {
            v[i] = Activations.softcap(v[i], cap);
        }
        upload(v, out);
    }

    /**
     * {@code out = gelu(gate) * up}, element-wise, with GELU's tanh approximation rounded as ggml's CPU backend
     * does ({@link Activations#gelu}); the gated feed-forward of Gemma. May alias. The default goes through the
     * host.
     */
    default void geluMul(Tensor gate, Tensor up, Tensor out) {
        float[] g = hostValues(gate, out, "geluMul");
        float[] u = hostValues(up, out, "geluMul");
        for (int i = 0; i < g.length; i++) {
            g[i] = Activations.gelu(g[i]) * u[i];
        }
        upload(g, out);
    }

    /** All values of {@code x}, row-major, on the host, after checking that {@code out} has its shape. */
    private float[] hostValues(Tensor x, Tensor out, String what) {
        if (x.rows() != out.rows() || x.cols() != out.cols()) {
            throw new IllegalArgumentException("%s: [%d, %d] into [%d, %d]"
                    .formatted(what, x.rows(), x.cols(), out.rows(), out.cols()));
        }
        int[] rows = new int[x.rows()];
        for (int r = 0; r < rows.length; r++) {
            rows[r] = r;
        }
        float[] v = new float[x.rows() * x.cols()];
        download(x, rows, v);
        return v;
    }

    /**
     * Stores this step's keys and values ({@code [tokens, numKvHeads * headDim]} each) of one layer into the
     * slots named by the step's slot mapping.
     */
    void storeKv(KvCacheStorage kv, int layer, Tensor k, Tensor v, StepInputs step);

    /**
     * This step's rotary embedding of queries and keys, then its keys and values stored in the cache: exactly
     * {@link #rope rope(q, numHeads, ...)}, {@link #rope rope(k, numKvHeads, ...)} and
     * {@link #storeKv storeKv(kv, layer, k, v, step)}, in that order ({@code k} is left rotated). The default is
     * those three operations; a GPU does them in one launch.
     */
    default void ropeAndStoreKv(Tensor q, Tensor k, Tensor v, int numHeads, int numKvHeads, int headDim,
                                RopeConfig rope, KvCacheStorage kv, int layer, StepInputs step) {
        rope(q, numHeads, headDim, rope, step);
        rope(k, numKvHeads, headDim, rope, step);
        storeKv(kv, layer, k, v, step);
    }

    /**
     * Paged causal attention of one layer: each query token attends to its sequence's cached positions up to
     * and including its own (call {@link #storeKv} for the step first), restricted to the config's sliding
     * window and with its scores soft-capped when it has them. {@code q} and {@code out} are
     * {@code [tokens, numHeads * headDim]} and must not alias. A backend that does not implement an option of
     * the config must refuse it ({@link UnsupportedOperationException}), never ignore it.
     */
    void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config, Tensor out);

    /**
     * Free and total bytes of the device memory this backend allocates from, for sizing the KV pool by a memory
     * fraction; empty for host backends, whose pool is sized by a byte budget instead.
     */
    default java.util.Optional<DeviceMemory> deviceMemory() {
        return java.util.Optional.empty();
    }

    /** Bytes one cached key or value takes in this backend's KV pool (4 for float32, 2 for float16). */
    default int kvCacheBytesPerValue() {
        return Float.BYTES;
    }

    /** Releases native resources (thread pools, device memory). */
    @Override
    void close();
}
