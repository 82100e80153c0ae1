package io.jserve.kernels;

/**
 * Shape, scaling and masking of grouped-query attention.
 *
 * <p>A query at position {@code p} scores key position {@code j} as {@code s = scale * (q . k)}; with a soft-cap
 * {@code c > 0} the score becomes {@code c * tanh(s / c)} (Gemma-2), before the softmax. With a sliding window
 * {@code w > 0} the query sees only positions {@code j > p - w} (itself and the {@code w - 1} before it, as
 * llama.cpp's standard SWA mask, which hides {@code j} when {@code p - j >= w}).
 *
 * @param numHeads      query heads
 * @param numKvHeads    key/value heads ({@code numHeads} is a multiple of it; query head {@code h} reads KV head
 *                      {@code h / (numHeads / numKvHeads)})
 * @param headDim       values per head
 * @param scale         factor applied to {@code q . k} before the softmax (usually {@code 1 / sqrt(headDim)})
 * @param softcap       logit soft-cap {@code c} applied to the scaled scores; 0 means none
 * @param slidingWindow positions a query sees, its own included; 0 means every earlier position (plain causal)
 */
public record AttentionConfig(int numHeads, int numKvHeads, int headDim, float scale, float softcap,
                              int slidingWindow) {
    public AttentionConfig {
        if (numHeads <= 0 || numKvHeads <= 0 || headDim <= 0 || numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException(
                    "bad attention shape: %d heads, %d KV heads, head dim %d".formatted(numHeads, numKvHeads, headDim));
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new IllegalArgumentException("attention scale must be positive and finite, got " + scale);
        }
        if (!(softcap >= 0) || Float.isInfinite(softcap)) {
            throw new IllegalArgumentException("attention soft-cap must be 0 (off) or positive and finite, got "
                    + softcap);
        }
        if (slidingWindow < 0) {
            throw new IllegalArgumentException("sliding window must be 0 (off) or positive, got " + slidingWindow);
        }
    }

    /** Plain causal attention: no soft-cap, no sliding window. */
    public AttentionConfig(int numHeads, int numKvHeads, int headDim, float scale) {
        this(numHeads, numKvHeads, headDim, scale, 0f, 0);
    }

    /** Query heads sharing one KV head. */
    public int groupSize() {
        return numHeads / numKvHeads;
    }

    /** Whether this is plain causal attention (no soft-cap and no sliding window). */
    public boolean isPlainCausal() {
        return softcap == 0f && slidingWindow == 0;
    }

    /** The first key position a query at {@code position} sees (0 without a sliding window). */
    public int firstVisible(int position) {
        return slidingWindow == 0 ? 0 : Math.max(0, position - slidingWindow + 1);
    }

    /** A raw score {@code scale * (q . k)} after the soft-cap, if any: {@code c * tanh(s * (1 / c))} as ggml. */
    public float capScore(float score) {
        return softcap == 0f ? score : Activations.softcap(score, softcap);
    }
}
