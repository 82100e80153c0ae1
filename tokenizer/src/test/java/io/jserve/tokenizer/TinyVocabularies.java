package io.jserve.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small hand-made GGUF vocabularies (as metadata maps) whose tokenizations can be worked out by hand. */
final class TinyVocabularies {
    /** SPM ids: the byte token for byte b is {@code BYTE_BASE + b}. */
    static final int BYTE_BASE = 3;
    static final int SPACE = 259;       // "▁"
    static final int A = 260;
    static final int B = 261;
    static final int AB = 262;
    static final int SPACE_A = 263;     // "▁a"
    static final int SPACE_AB = 264;    // "▁ab"
    static final int BA = 265;
    static final int THINK = 266;       // "<think>", user-defined

    private TinyVocabularies() {
    }

    /**
     * A SentencePiece vocabulary: {@code <unk>} 0, {@code <s>} 1, {@code </s>} 2, the 256 byte tokens, then
     * ▁ a b ab ▁a ▁ab ba with scores that make "▁a" merge before "ab", and the user-defined {@code <think>}.
     */
    static Map<String, Object> spm() {
        List<String> tokens = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        List<Integer> types = new ArrayList<>(List.of(2, 3, 3));
        List<Float> scores = new ArrayList<>(List.of(0f, 0f, 0f));
        for (int b = 0; b < 256; b++) {
            tokens.add(String.format("<0x%02X>", b));
            types.add(6);
            scores.add(0f);
        }
        String[] pieces = {"\u2581", "a", "b", "ab", "\u2581a", "\u2581ab", "ba", "<think>"};
        float[] pieceScores = {-1f, -2f, -3f, -0.5f, -0.2f, -0.1f, -0.3f, 0f};
        for (int i = 0; i < pieces.length; i++) {
            tokens.add(pieces[i]);
            types.add(pieces[i].equals("<think>") ? 4 : 1);
            scores.add(pieceScores[i]);
        }
        Map<String, Object> md = new HashMap<>();
        md.put("tokenizer.ggml.model", "llama");
        md.put("tokenizer.ggml.tokens", tokens);
        md.put("tokenizer.ggml.token_type", types.stream().mapToInt(Integer::intValue).toArray());
        float[] s = new float[scores.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = scores.get(i);
        }
        md.put("tokenizer.ggml.scores", s);
        md.put("tokenizer.ggml.bos_token_id", 1L);
        md.put("tokenizer.ggml.eos_token_id", 2L);
        return md;
    }

    /**
     * A byte-level BPE vocabulary: a 0, b 1, c 2, Ġ 3, ab 4, Ġab 5, abc 6, {@code <|endoftext|>} 7 (control),
     * with merges "a b" (rank 0), "Ġ ab" (1), "ab c" (2).
     */
    static Map<String, Object> bpe(String pre) {
        Map<String, Object> md = new HashMap<>();
        md.put("tokenizer.ggml.model", "gpt2");
        if (pre != null) {
            md.put("tokenizer.ggml.pre", pre);
        }
        md.put("tokenizer.ggml.tokens", List.of("a", "b", "c", "\u0120", "ab", "\u0120ab", "abc", "<|endoftext|>"));
        md.put("tokenizer.ggml.token_type", new int[] {1, 1, 1, 1, 1, 1, 1, 3});
        md.put("tokenizer.ggml.merges", List.of("a b", "\u0120 ab", "ab c"));
        return md;
    }
}
