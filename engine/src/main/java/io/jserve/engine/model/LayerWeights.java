package io.jserve.engine.model;

import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;

import java.util.Objects;

/**
 * The weights of one transformer block, as loaded by a backend. Shapes are {@code [rows=out, cols=in]}. The
 * first nine are every architecture's; the others are null when the architecture has none, and their presence is
 * what switches the matching step of the forward pass on.
 *
 * <p>Fused projections (Phi-3's {@code attn_qkv} and gate/up {@code ffn_up}) arrive here already split into
 * their row ranges, so the forward pass never sees them.
 */
public record LayerWeights(Weight attnNorm,     // [dim]
                           Weight wq,           // [qDim, dim]
                           Weight wk,           // [kvDim, dim]
                           Weight wv,           // [kvDim, dim]
                           Weight wo,           // [dim, qDim]
                           Weight ffnNorm,      // [dim]
                           Weight ffnGate,      // [ffnDim, dim]
                           Weight ffnUp,        // [ffnDim, dim]
                           Weight ffnDown,      // [dim, ffnDim]
                           Tensor qBias,        // [1, qDim]   Qwen2, or null
                           Tensor kBias,        // [1, kvDim]  Qwen2, or null
                           Tensor vBias,        // [1, kvDim]  Qwen2, or null
                           Weight qNorm,        // [headDim]   per-head RMS norm of queries (Qwen3, Gemma-3), or null
                           Weight kNorm,        // [headDim]   per-head RMS norm of keys, or null
                           Weight postAttnNorm, // [dim]       norm of the attention output (Gemma-2/3), or null
                           Weight postFfnNorm) { // [dim]      norm of the feed-forward output (Gemma-2/3), or null
    public LayerWeights {
        Objects.requireNonNull(attnNorm, "attn_norm");
        Objects.requireNonNull(wq, "attn_q");
        Objects.requireNonNull(wk, "attn_k");
        Objects.requireNonNull(wv, "attn_v");
        Objects.requireNonNull(wo, "attn_output");
        Objects.requireNonNull(ffnNorm, "ffn_norm");
        Objects.requireNonNull(ffnGate, "ffn_gate");
        Objects.requireNonNull(ffnUp, "ffn_up");
        Objects.requireNonNull(ffnDown, "ffn_down");
        if ((qNorm == null) != (kNorm == null)) {
            throw new IllegalArgumentException("attn_q_norm and attn_k_norm come together");
        }
    }

    /** A plain Llama block: none of the optional weights. */
    public LayerWeights(Weight attnNorm, Weight wq, Weight wk, Weight wv, Weight wo, Weight ffnNorm, Weight ffnGate,
                        Weight ffnUp, Weight ffnDown) {
        this(attnNorm, wq, wk, wv, wo, ffnNorm, ffnGate, ffnUp, ffnDown, null, null, null, null, null, null, null);
    }
}
