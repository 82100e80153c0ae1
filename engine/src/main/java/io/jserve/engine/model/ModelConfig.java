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
 * @param contextLength   {@code context_length}: positions the model was trained for (with its RoPE scaling)
 * @param vocabSize       tokens in the vocabulary
 * @param ropeScaling     RoPE scaling ({@code rope.scaling.*}, {@code rope_freqs.weight})
 * @param features        what the architecture changes in the Llama block (Gemma's scales, caps, windows...)
 */
public record ModelConfig(String architecture, int dim, int numLayers, int ffnDim, int numHeads, int numKvHeads,
                          int headDim, int ropeDim, float ropeFreqBase, boolean ropeNeox, float rmsEps,
                          int contextLength, int vocabSize, RopeScaling ropeScaling, ArchitectureFeatures features) {

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
        check(ropeScaling != null && features != null, "rope scaling and architecture features must be given");
    }

    /** A plain Llama configuration: no RoPE scaling, SiLU, {@code 1 / sqrt(headDim)}. */
    public ModelConfig(String architecture, int dim, int numLayers, int ffnDim, int numHeads, int numKvHeads,
                       int headDim, int ropeDim, float ropeFreqBase, boolean ropeNeox, float rmsEps, int contextLength,
                       int vocabSize) {
        this(architecture, dim, numLayers, ffnDim, numHeads, numKvHeads, headDim, ropeDim, ropeFreqBase, ropeNeox,
                rmsEps, contextLength, vocabSize, RopeScaling.NONE, ArchitectureFeatures.llama(headDim));
    }

    /**
     * Architectures whose forward pass this model code implements ({@code general.architecture}); Mistral,
     * TinyLlama, SmolLM and Llama 2/3 files all say {@code llama}.
     */
    public static final java.util.List<String> SUPPORTED =
            java.util.List.of("llama", "qwen2", "qwen3", "phi3", "gemma", "gemma2", "gemma3");

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Reads the configuration of {@code gguf}'s model; fails with the missing key's name. */
    public static ModelConfig from(GgufFile gguf) {
        String arch = gguf.string("general.architecture")
                .orElseThrow(() -> new IllegalArgumentException(gguf.path() + ": no general.architecture key"));
        if (!SUPPORTED.contains(arch)) {
            throw new IllegalArgumentException("%s: architecture '%s' is not supported (supported: %s)"
                    .formatted(gguf.path(), arch, String.join(", ", SUPPORTED)));
        }
        int dim = required(gguf, arch + ".embedding_length");
        int numLayers = required(gguf, arch + ".block_count");
        int ffnDim = required(gguf, arch + ".feed_forward_length");
        int numHeads = required(gguf, arch + ".attention.head_count");
        int numKvHeads = optional(gguf, arch + ".attention.head_count_kv", numHeads);
        int headDim = optional(gguf, arch + ".attention.key_length", dim / numHeads);
        int valueDim = optional(gguf, arch + ".attention.value_length", headDim);
        check(valueDim == headDim, "%s: attention.value_length %d differs from key_length %d (not supported)"
                .formatted(gguf.path(), valueDim, headDim));
        int ropeDim = optional(gguf, arch + ".rope.dimension_count", headDim);
        float freqBase = gguf.float32(arch + ".rope.freq_base").orElse(10000f);
        float eps = gguf.float32(arch + ".attention.layer_norm_rms_epsilon").orElse(1e-5f);
        int context = optional(gguf, arch + ".context_length", 2048);
        int vocab = gguf.strings("tokenizer.ggml.tokens").map(java.util.List::size)
                .orElseGet(() -> optional(gguf, arch + ".vocab_size", 0));
        return new ModelConfig(arch, dim, numLayers, ffnDim, numHeads, numKvHeads, headDim, ropeDim, freqBase,
                usesNeoxRope(arch), eps, context, vocab, RopeScaling.from(gguf, arch, context),
                ArchitectureFeatures.from(gguf, arch, dim, numLayers, numHeads, headDim));
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

    /** The RoPE of the global (non-sliding) layers, with the model's scaling. */
    public RopeConfig rope() {
        return ropeScaling.rope(ropeDim, ropeFreqBase, ropeNeox);
    }

    /** The RoPE of layer {@code l}: sliding layers may use their own base, unscaled (Gemma-3). */
    public RopeConfig rope(int layer) {
        if (features.isSliding(layer) && features.slidingRopeBase() > 0) {
            return new RopeConfig(ropeDim, features.slidingRopeBase(), 1f, ropeNeox);
        }
        return rope();
    }

    /** The attention of a global layer. */
    public AttentionConfig attention() {
        return new AttentionConfig(numHeads, numKvHeads, headDim, features.attentionScale(), features.attnSoftcap(), 0);
    }

    /** The attention of layer {@code l}, with the sliding window when the layer slides. */
    public AttentionConfig attention(int layer) {
        return new AttentionConfig(numHeads, numKvHeads, headDim, features.attentionScale(), features.attnSoftcap(),
                features.isSliding(layer) ? features.slidingWindow() : 0);
    }
}
