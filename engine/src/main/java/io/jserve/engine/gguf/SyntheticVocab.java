package io.jserve.engine.gguf;

import java.util.ArrayList;
import java.util.List;

/**
 * A small SentencePiece-style ({@code tokenizer.ggml.model = "llama"}) vocabulary that can spell any text:
 * {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte-fallback tokens {@code <0x00>}..{@code <0xFF>}
 * (token type 6), then a handful of common pieces with merge scores, padded with {@code ▁tok<i>} pieces up to
 * the requested size. Ids: unk 0, bos 1, eos 2, byte {@code b} at {@code 3 + b}, as in llama2.c's models.
 */
public final class SyntheticVocab {
    /** Token types as llama.cpp numbers them ({@code llama_token_type}). */
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int BYTE = 6;

    private static final List<String> PIECES = List.of(
            "▁", "e", "t", "a", "o", "h", "▁t", "he", "▁a", "▁the", "in", "an", "nd", "▁s", "▁w", "ed",
            "▁and", "▁was", "▁to", "er", "ou", "▁h", "it", "▁b", "▁Once", "▁upon", "▁time", ".", ",");

    /** Smallest vocabulary: the three specials, 256 bytes and the fixed pieces. */
    public static final int MIN_SIZE = 3 + 256 + PIECES.size();

    private SyntheticVocab() {
    }

    /** Writes the {@code tokenizer.ggml.*} keys of a vocabulary of {@code size} tokens. */
    public static void put(GgufWriter w, int size) {
        if (size < MIN_SIZE) {
            throw new IllegalArgumentException("a synthetic vocabulary needs at least %d tokens, not %d".formatted(MIN_SIZE, size));
        }
        List<String> tokens = new ArrayList<>(size);
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens.add("<unk>");
        types[0] = UNKNOWN;
        tokens.add("<s>");
        types[1] = CONTROL;
        tokens.add("</s>");
        types[2] = CONTROL;
        for (int b = 0; b < 256; b++) {
            types[tokens.size()] = BYTE;
            tokens.add("<0x%02X>".formatted(b));
        }
        while (tokens.size() < size) {
            int id = tokens.size();
            int normalIndex = id - 259;
            tokens.add(normalIndex < PIECES.size() ? PIECES.get(normalIndex) : "▁tok" + normalIndex);
            types[id] = NORMAL;
            scores[id] = -normalIndex; // earlier pieces merge first, as in llama2.c's tokenizer.bin
        }
        w.putString("tokenizer.ggml.model", "llama")
                .putStrings("tokenizer.ggml.tokens", tokens)
                .putArray("tokenizer.ggml.scores", GgufValueType.FLOAT32, scores)
                .putArray("tokenizer.ggml.token_type", GgufValueType.INT32, types)
                .putUint32("tokenizer.ggml.unknown_token_id", 0)
                .putUint32("tokenizer.ggml.bos_token_id", 1)
                .putUint32("tokenizer.ggml.eos_token_id", 2)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
    }
}
