package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.RopeConfig;

/**
 * Hyper-parameters of a decoder-only transformer, read from GGUF metadata with llama.cpp's defaults where a
 * key is absent.
 *
 * @param architecture    {@code general.architecture}
 * @param dim             embedding width ({@code embedding_length})
 * @param numLayers       transformer blocks ({@code block_count})
 * @param ffnDim          hidden width of the feed-forward network ({@code feed_forward_length})
 * @param numHeads        query heads ({@code attention.head_count})
 * @param numKvHeads      key/value heads ({@code attention.head_count_kv}, default {@code numHeads})
 * @param headDim         values per head ({@code attention.key_length}, default {@code dim / numHeads})
 * @param ropeDim         rotated dimensions per head ({@code rope.dimension_count}, default {@code headDim})
 * @param ropeFreqBase    {@code rope.freq_base}, default 10000
 * @param ropeNeox        NeoX rotation (pairs {@code i, i + ropeDim/2}) instead of GGML's normal mode
 * @param rmsEps          {@code attention.layer_norm_rms_epsilon}, default 1e-5
 * @param contextLength   {@code context_length}: positions the model was trained for
 * @param vocabSize       tokens in the vocabulary
 */
public record ModelConfig(String architecture, int dim, int numLayers, int ffnDim, int numHeads, int numKvHeads,
                          int headDim, int ropeDim, float ropeFreqBase, boolean ropeNeox, float rmsEps,
                          int contextLength, int vocabSize) {

    public ModelConfig {
        check(dim > 0 && numLayers > 0 && ffnDim > 0 && numHeads > 0 && numKvHeads > 0 && headDim > 0,
                "model dimensions must be positive");
        check(numHeads % numKvHeads == 0,
                "head_count %d is not a multiple of head_count_kv %d".formatted(numHeads, numKvHeads));
        check(ropeDim > 0 && ropeDim <= headDim && ropeDim % 2 == 0,
                "rope dimension %d must be even and at most the head size %d".formatted(ropeDim, headDim));
        check(contextLength > 0, "context length must be positive");
        check(vocabSize > 0, "vocabulary must not be empty");
        check(rmsEps > 0 && Float.isFinite(rmsEps), "rms epsilon must be positive");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Reads the configuration of {@code gguf}'s model; fails with the missing key's name. */
    public static ModelConfig from(GgufFile gguf) {
        String arch = gguf.string("general.architecture")
                .orElseThrow(() -> new IllegalArgumentException(gguf.path() + ": no general.architecture key"));
        int dim = required(gguf, arch + ".embedding_length");
        int numLayers = required(gguf, arch + ".block_count");
        int ffnDim = required(gguf, arch + ".feed_forward_length");
        int numHeads = required(gguf, arch + ".attention.head_count");
        int numKvHeads = optional(gguf, arch + ".attention.head_count_kv", numHeads);
        int headDim = optional(gguf, arch + ".attention.key_length", dim / numHeads);
        int ropeDim = optional(gguf, arch + ".rope.dimension_count", headDim);
        float freqBase = gguf.float32(arch + ".rope.freq_base").orElse(10000f);
        float eps = gguf.float32(arch + ".attention.layer_norm_rms_epsilon").orElse(1e-5f);
        int context = optional(gguf, arch + ".context_length", 2048);
        int vocab = gguf.strings("tokenizer.ggml.tokens").map(java.util.List::size)
                .orElseGet(() -> optional(gguf, arch + ".vocab_size", 0));
        return new ModelConfig(arch, dim, numLayers, ffnDim, numHeads, numKvHeads, headDim, ropeDim, freqBase,
                usesNeoxRope(arch), eps, context, vocab);
    }

    /** Architectures whose converters keep Hugging Face's rotate-half layout (llama.cpp's LLAMA_ROPE_TYPE_NEOX). */
    private static boolean usesNeoxRope(String arch) {
        return switch (arch) {
            case "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3", "gptneox", "stablelm", "falcon" -> true;
            default -> false;
        };
    }

    private static int required(GgufFile gguf, String key) {
        long v = gguf.integer(key).orElseThrow(
                () -> new IllegalArgumentException(gguf.path() + ": missing metadata key " + key));
        return Math.toIntExact(v);
    }

    private static int optional(GgufFile gguf, String key, int fallback) {
        return Math.toIntExact(gguf.integer(key).orElse(fallback));
    }

    /** Width of all query heads together. */
    public int qDim() {
        return numHeads * headDim;
    }

    /** Width of all key (or value) heads together. */
    public int kvDim() {
        return numKvHeads * headDim;
    }

    public RopeConfig rope() {
        return new RopeConfig(ropeDim, ropeFreqBase, 1f, ropeNeox);
    }

    public AttentionConfig attention() {
        return new AttentionConfig(numHeads, numKvHeads, headDim, (float) (1.0 / Math.sqrt(headDim)));
    }
}
