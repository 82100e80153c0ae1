package io.jserve.engine.gguf;

import java.util.ArrayList;
import java.util.List;

/**
 * The hyperparameters of a Llama-architecture model, enough to lay out its GGUF tensors and write the
 * {@code llama.*} metadata keys llama.cpp's converter writes. Used to write synthetic (random-weight) models.
 *
 * @param dim            embedding length (hidden size)
 * @param layers         number of transformer blocks
 * @param heads          query heads
 * @param kvHeads        key/value heads (GQA when fewer than {@code heads}); divides {@code heads}
 * @param ffn            feed-forward (SwiGLU) hidden size
 * @param vocab          number of tokens
 * @param context        context length
 * @param ropeBase       RoPE frequency base
 * @param rmsEps         RMSNorm epsilon
 * @param tiedEmbeddings true when the output projection reuses {@code token_embd.weight} (no {@code output.weight})
 */
public record LlamaShape(int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int context,
                         float ropeBase, float rmsEps, boolean tiedEmbeddings) {
    public LlamaShape {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || ffn <= 0 || vocab <= 0 || context <= 0) {
            throw new IllegalArgumentException("every size must be positive: " + sizes(dim, layers, heads, kvHeads, ffn, vocab, context));
        }
        if (dim % heads != 0 || (dim / heads) % 2 != 0) {
            throw new IllegalArgumentException("dim %d must split into %d heads of an even size".formatted(dim, heads));
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("%d KV heads do not divide %d query heads".formatted(kvHeads, heads));
        }
        if (!(ropeBase > 0) || !(rmsEps > 0)) {
            throw new IllegalArgumentException("ropeBase %s and rmsEps %s must be positive".formatted(ropeBase, rmsEps));
        }
    }

    /** Values per attention head. */
    public int headDim() {
        return dim / heads;
    }

    /** Width of the K and V projections. */
    public int kvDim() {
        return kvHeads * headDim();
    }

    /** The same shape with another vocabulary size (e.g. that of a copied vocabulary). */
    public LlamaShape withVocab(int newVocab) {
        return new LlamaShape(dim, layers, heads, kvHeads, ffn, newVocab, context, ropeBase, rmsEps, tiedEmbeddings);
    }

    /**
     * The tensors in the order llama.cpp's converter writes them, with GGUF dims {@code [cols, rows]}
     * (e.g. {@code attn_k [dim, kvDim]}, {@code ffn_down [ffn, dim]}).
     */
    public List<LlamaTensorSpec> tensors() {
        List<LlamaTensorSpec> out = new ArrayList<>(3 + 9 * layers);
        out.add(LlamaTensorSpec.matrix("token_embd.weight", dim, vocab));
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            out.add(LlamaTensorSpec.norm(p + "attn_norm.weight", dim));
            out.add(LlamaTensorSpec.matrix(p + "attn_q.weight", dim, dim));
            out.add(LlamaTensorSpec.matrix(p + "attn_k.weight", dim, kvDim()));
            out.add(LlamaTensorSpec.matrix(p + "attn_v.weight", dim, kvDim()));
            out.add(LlamaTensorSpec.matrix(p + "attn_output.weight", dim, dim));
            out.add(LlamaTensorSpec.norm(p + "ffn_norm.weight", dim));
            out.add(LlamaTensorSpec.matrix(p + "ffn_gate.weight", dim, ffn));
            out.add(LlamaTensorSpec.matrix(p + "ffn_up.weight", dim, ffn));
            out.add(LlamaTensorSpec.matrix(p + "ffn_down.weight", ffn, dim));
        }
        out.add(LlamaTensorSpec.norm("output_norm.weight", dim));
        if (!tiedEmbeddings) {
            out.add(LlamaTensorSpec.matrix("output.weight", dim, vocab));
        }
        return out;
    }

    /**
     * Writes {@code general.architecture}, {@code general.name}, {@code general.file_type} and the
     * {@code llama.*} hyperparameter keys.
     *
     * @param fileType llama.cpp's {@code general.file_type} (0 all F32, 1 mostly F16, 2 Q4_0, 7 Q8_0, 32 BF16)
     */
    public void putMetadata(GgufWriter w, String name, int fileType) {
        w.putString("general.architecture", "llama")
                .putString("general.name", name)
                .putUint32("general.file_type", fileType)
                .putUint32("llama.context_length", context)
                .putUint32("llama.embedding_length", dim)
                .putUint32("llama.block_count", layers)
                .putUint32("llama.feed_forward_length", ffn)
                .putUint32("llama.rope.dimension_count", headDim())
                .putUint32("llama.attention.head_count", heads)
                .putUint32("llama.attention.head_count_kv", kvHeads)
                .putFloat32("llama.rope.freq_base", ropeBase)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", rmsEps)
                .putUint32("llama.vocab_size", vocab);
    }

    private static String sizes(int... v) {
        return java.util.Arrays.toString(v);
    }
}
