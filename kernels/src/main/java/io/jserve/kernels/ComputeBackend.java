package io.jserve.kernels;

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

    /** A new activation buffer of {@code rows x cols} floats, zero-filled. */
    Tensor allocate(int rows, int cols);

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

    /** {@code out[t, :] = dequantize(table[tokenIds[t], :])} for each token of the step. */
    void embed(Weight table, StepInputs step, Tensor out);

    /**
     * Matrix product with a stored weight: {@code out[t, r] = sum_c w[r, c] * x[t, c]}.
     * {@code x} is {@code [tokens, w.cols]}, {@code out} is {@code [tokens, w.rows]}; they must not alias.
     */
    void matmul(Weight w, Tensor x, Tensor out);

    /** RMS norm per row: {@code out[t, i] = x[t, i] / sqrt(mean(x[t, :]^2) + eps) * w[i]}. May alias. */
    void rmsNorm(Tensor x, Weight w, float eps, Tensor out);

    /**
     * Rotary embedding, in place, on {@code x} seen as {@code [tokens, numHeads * headDim]}: each head of token
     * {@code t} is rotated by the angle of the token's position in the step.
     */
    void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step);

    /** {@code out = silu(gate) * up}, element-wise, with {@code silu(x) = x / (1 + e^-x)}. May alias. */
    void siluMul(Tensor gate, Tensor up, Tensor out);

    /** {@code out = a + b}, element-wise. May alias. */
    void add(Tensor a, Tensor b, Tensor out);

    /**
     * Stores this step's keys and values ({@code [tokens, numKvHeads * headDim]} each) of one layer into the
     * slots named by the step's slot mapping.
     */
    void storeKv(KvCacheStorage kv, int layer, Tensor k, Tensor v, StepInputs step);

    /**
     * Paged causal attention of one layer: each query token attends to its sequence's cached positions up to
     * and including its own (call {@link #storeKv} for the step first). {@code q} and {@code out} are
     * {@code [tokens, numHeads * headDim]} and must not alias.
     */
    void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config, Tensor out);

    /** Releases native resources (thread pools, device memory). */
    @Override
    void close();
}
