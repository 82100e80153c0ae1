package io.jserve.kernels.host;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.KvCacheShape;

/** The argument checks of the host backends, so a bad call fails at the edge with a clear message. */
public final class Shapes {
    private Shapes() {
    }

    /** {@code out = w x}: x is [tokens, w.cols], out is [tokens, w.rows], no aliasing. */
    public static void matmul(HostWeight w, HostTensor x, HostTensor out) {
        if (x.cols() != w.cols() || out.cols() != w.rows() || x.rows() != out.rows()) {
            throw new IllegalArgumentException("matmul %s [%d, %d]: x is [%d, %d], out is [%d, %d]".formatted(
                    w.name(), w.rows(), w.cols(), x.rows(), x.cols(), out.rows(), out.cols()));
        }
        noAlias(x, out, "matmul " + w.name());
    }

    /** A per-row vector weight (a norm's) of {@code cols} values. */
    public static void vector(HostWeight w, int cols, String what) {
        if (w.rows() != 1 || w.cols() != cols) {
            throw new IllegalArgumentException("%s: weight %s is [%d, %d], expected [1, %d]".formatted(
                    what, w.name(), w.rows(), w.cols(), cols));
        }
    }

    /** A one-row tensor of {@code cols} values (a bias added to every row). */
    public static void row(HostTensor row, int cols, String what) {
        if (row.rows() != 1 || row.cols() != cols) {
            throw new IllegalArgumentException("%s: row is [%d, %d], expected [1, %d]".formatted(
                    what, row.rows(), row.cols(), cols));
        }
    }

    /** A soft-cap value: positive and finite. */
    public static void softcap(float cap) {
        if (!(cap > 0) || Float.isInfinite(cap)) {
            throw new IllegalArgumentException("soft-cap must be positive and finite, got " + cap);
        }
    }

    /** Element-wise operands of one shape. */
    public static void sameShape(String what, HostTensor first, HostTensor... others) {
        for (HostTensor o : others) {
            first.requireSameShape(o, what);
        }
    }

    /** {@code [tokens, heads * headDim]} activations of a step of {@code tokens} tokens. */
    public static void heads(HostTensor x, int tokens, int heads, int headDim, String what) {
        if (x.rows() != tokens || (long) heads * headDim != x.cols()) {
            throw new IllegalArgumentException("%s: tensor is [%d, %d], expected [%d, %d x %d]".formatted(
                    what, x.rows(), x.cols(), tokens, heads, headDim));
        }
    }

    /** An attention call's config must match its KV pool and step. */
    public static void attention(AttentionConfig c, KvCacheShape kv, int stepBlockSize) {
        if (c.numKvHeads() != kv.numKvHeads() || c.headDim() != kv.headDim()) {
            throw new IllegalArgumentException("attention %s does not match the KV cache %s".formatted(c, kv));
        }
        if (stepBlockSize != kv.blockSize()) {
            throw new IllegalArgumentException("step block size %d, KV cache block size %d"
                    .formatted(stepBlockSize, kv.blockSize()));
        }
    }

    /** Two tensors that must not share memory. */
    public static void noAlias(HostTensor a, HostTensor b, String what) {
        if (a.segment().asOverlappingSlice(b.segment()).isPresent()) {
            throw new IllegalArgumentException(what + ": input and output must not alias");
        }
    }
}
