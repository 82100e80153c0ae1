package io.jserve.engine.model;

import io.jserve.kernels.Weight;

import java.util.Objects;

/** The weights of one transformer block, as loaded by a backend. Shapes are {@code [rows=out, cols=in]}. */
public record LayerWeights(Weight attnNorm,   // [dim]
                           Weight wq,         // [qDim, dim]
                           Weight wk,         // [kvDim, dim]
                           Weight wv,         // [kvDim, dim]
                           Weight wo,         // [dim, qDim]
                           Weight ffnNorm,    // [dim]
                           Weight ffnGate,    // [ffnDim, dim]
                           Weight ffnUp,      // [ffnDim, dim]
                           Weight ffnDown) {  // [dim, ffnDim]
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
    }
}
