package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.LlamaShape;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Real model shapes to write random-weight stand-ins for: throughput depends on shapes, not on weight values.
 * Context lengths are the models' own ({@code max_position_embeddings}); Llama 3.2's RoPE scaling keys are
 * not written.
 */
public enum ModelPreset {
    /** TinyLlama 1.1B: Llama-2 vocabulary of 32,000, GQA 32/4. */
    TINYLLAMA_1_1B("tinyllama-1.1b", new LlamaShape(2048, 22, 32, 4, 5632, 32000, 2048, 10000f, 1e-5f, false)),
    /** Llama 3.2 1B: 128,256-token vocabulary, tied embeddings, GQA 32/8. */
    LLAMA_3_2_1B("llama-3.2-1b", new LlamaShape(2048, 16, 32, 8, 8192, 128256, 131072, 500000f, 1e-5f, true)),
    /** Llama 3 8B: GQA 32/8, FFN 14336. */
    LLAMA_3_8B("llama-3-8b", new LlamaShape(4096, 32, 32, 8, 14336, 128256, 8192, 500000f, 1e-5f, false));

    private final String id;
    private final LlamaShape shape;

    ModelPreset(String id, LlamaShape shape) {
        this.id = id;
        this.shape = shape;
    }

    /** The name used on the command line, e.g. {@code llama-3-8b}. */
    public String id() {
        return id;
    }

    public LlamaShape shape() {
        return shape;
    }

    /**
     * The preset named {@code id}.
     *
     * @throws IllegalArgumentException listing the known names
     */
    public static ModelPreset byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id.equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown preset %s (known: %s)".formatted(id,
                        Arrays.stream(values()).map(ModelPreset::id).collect(Collectors.joining(", ")))));
    }
}
