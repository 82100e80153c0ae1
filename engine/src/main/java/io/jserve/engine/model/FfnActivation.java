package io.jserve.engine.model;

/** The gate activation of a gated feed-forward block: {@code down . (act(gate . x) * (up . x))}. */
public enum FfnActivation {
    /** SwiGLU: Llama, Mistral, Qwen, Phi-3. */
    SILU,
    /** GEGLU with GELU's tanh approximation: Gemma. */
    GELU
}
