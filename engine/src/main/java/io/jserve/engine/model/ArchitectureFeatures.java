package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.gguf.GgufValueType;

/**
 * What an architecture changes in the Llama block beyond its weights, with llama.cpp's per-architecture defaults
 * where a key is absent. Differences that show as tensors (biases, q/k norms, post norms, fused projections) are
 * not here: the loader finds them in the file.
 *
 * @param embeddingScale  factor on the token embeddings (Gemma: {@code sqrt(dim)}), 1 for none
 * @param activation      the feed-forward gate activation
 * @param attentionScale  factor on {@code q . k} ({@code 1 / sqrt(headDim)}, except the 27B Gemmas)
 * @param attnSoftcap     soft-cap of the attention scores, 0 for none ({@code attn_logit_softcapping})
 * @param finalSoftcap    soft-cap of the output logits, 0 for none ({@code final_logit_softcapping})
 * @param slidingWindow   positions a sliding-window layer sees, its own included; 0 when no layer slides
 * @param slidingPeriod   layer {@code l} slides when {@code l % period < period - 1} (0: every layer slides)
 * @param slidingRopeBase RoPE base of the sliding layers, which then use no RoPE scaling (Gemma-3: 10000); 0 when
 *                        they use the global RoPE
 */
public record ArchitectureFeatures(float embeddingScale, FfnActivation activation, float attentionScale,
                                   float attnSoftcap, float finalSoftcap, int slidingWindow, int slidingPeriod,
                                   float slidingRopeBase) {
    public ArchitectureFeatures {
        check(embeddingScale > 0 && Float.isFinite(embeddingScale), "embedding scale must be positive");
        check(activation != null, "activation must be given");
        check(attentionScale > 0 && Float.isFinite(attentionScale), "attention scale must be positive");
        check(attnSoftcap >= 0 && Float.isFinite(attnSoftcap), "attention soft-cap must be >= 0: " + attnSoftcap);
        check(finalSoftcap >= 0 && Float.isFinite(finalSoftcap), "final soft-cap must be >= 0: " + finalSoftcap);
        check(slidingWindow >= 0 && slidingPeriod >= 0, "sliding window and period must be >= 0");
        check(slidingRopeBase >= 0 && Float.isFinite(slidingRopeBase), "sliding RoPE base must be >= 0");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Plain Llama: SiLU, {@code 1 / sqrt(headDim)}, nothing else. */
    public static ArchitectureFeatures llama(int headDim) {
        return new ArchitectureFeatures(1f, FfnActivation.SILU, invSqrt(headDim), 0f, 0f, 0, 0, 0f);
    }

    /** The features of {@code arch} as llama.cpp sets them up (keys of {@code gguf} override the defaults). */
    static ArchitectureFeatures from(GgufFile gguf, String arch, int dim, int numLayers, int numHeads, int headDim) {
        float embScale = (float) Math.sqrt(dim);
        // llama.cpp scales the 27B Gemmas' queries by the width per head, not by the key length
        boolean is27b = (arch.equals("gemma2") && numLayers == 46) || (arch.equals("gemma3") && numLayers == 62);
        float gemmaScale = invSqrt(is27b ? dim / numHeads : headDim);
        int window = Math.toIntExact(gguf.integer(arch + ".attention.sliding_window").orElse(0));
        return switch (arch) {
            case "gemma" -> new ArchitectureFeatures(embScale, FfnActivation.GELU, invSqrt(headDim), 0f, 0f, 0, 0,
                    0f);
            case "gemma2" -> new ArchitectureFeatures(embScale, FfnActivation.GELU, gemmaScale,
                    gguf.float32(arch + ".attn_logit_softcapping").orElse(50f),
                    gguf.float32(arch + ".final_logit_softcapping").orElse(30f),
                    window > 0 ? window : 4096, pattern(gguf, arch, 2), 0f);
            case "gemma3" -> new ArchitectureFeatures(embScale, FfnActivation.GELU, gemmaScale, 0f, 0f,
                    window, pattern(gguf, arch, 6), gguf.float32(arch + ".rope.freq_base_swa").orElse(10000f));
            default -> llama(headDim);
        };
    }

    /** The sliding period; a per-layer array form of the key (newer converters) is not read: the default holds. */
    private static int pattern(GgufFile gguf, String arch, int fallback) {
        String key = arch + ".attention.sliding_window_pattern";
        if (gguf.valueType(key).filter(t -> t != GgufValueType.ARRAY).isEmpty()) {
            return fallback;
        }
        return Math.toIntExact(gguf.integer(key).orElse(fallback));
    }

    private static float invSqrt(int n) {
        return (float) (1.0 / Math.sqrt(n));
    }

    /** Whether layer {@code l} uses the sliding window (llama.cpp's {@code set_swa_pattern}). */
    public boolean isSliding(int layer) {
        return slidingWindow > 0 && (slidingPeriod == 0 || layer % slidingPeriod < slidingPeriod - 1);
    }
}
