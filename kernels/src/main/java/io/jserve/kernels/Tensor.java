package io.jserve.kernels;

/**
 * A float32 activation matrix owned by a {@link ComputeBackend}: {@code rows} tokens of {@code cols} values,
 * row-major and contiguous. Where it lives (Java heap, native memory, GPU memory) is the backend's business;
 * the model only passes tensors between operations of the backend that made them.
 *
 * <p>Activation buffers are allocated once at their largest size and reused every step; a step with fewer
 * tokens works on a {@link #head(int)} view of them.
 */
public interface Tensor {
    /** Number of rows (tokens). */
    int rows();

    /** Values per row. */
    int cols();

    /** A view of the first {@code rows} rows, sharing this tensor's memory. */
    Tensor head(int rows);

    /**
     * The same memory seen as {@code rows x cols} with {@code rows * cols == this.rows() * this.cols()}; used to
     * treat {@code [tokens, heads * headDim]} as {@code [tokens * heads, headDim]}.
     */
    Tensor reshape(int rows, int cols);
}
