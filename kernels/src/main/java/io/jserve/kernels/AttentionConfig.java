package io.jserve.kernels;

/**
 * Shape and scaling of grouped-query attention.
 *
 * @param numHeads   query heads
 * @param numKvHeads key/value heads ({@code numHeads} is a multiple of it; query head {@code h} reads KV head
 *                   {@code h / (numHeads / numKvHeads)})
 * @param headDim    values per head
 * @param scale      factor applied to {@code q . k} before the softmax (usually {@code 1 / sqrt(headDim)})
 */
public record AttentionConfig(int numHeads, int numKvHeads, int headDim, float scale) {
    public AttentionConfig {
        if (numHeads <= 0 || numKvHeads <= 0 || headDim <= 0 || numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException(
                    "bad attention shape: %d heads, %d KV heads, head dim %d".formatted(numHeads, numKvHeads, headDim));
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("attention scale must be positive and finite, got " + scale);
        }
    }

    /** Query heads sharing one KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }
}
