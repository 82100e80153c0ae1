package io.jserve.tokenizer;

import java.util.List;
import java.util.Map;

/** Builds {@link Tokenizer}s from GGUF metadata. */
public final class Tokenizers {
    private Tokenizers() {
    }

    /**
     * The tokenizer a GGUF file describes ({@code tokenizer.ggml.*} keys), as llama.cpp would load it.
     *
     * @param metadata the file's metadata with the GGUF reader's value shapes (Integer/Long, Float,
     *                 Boolean, String, {@code List<String>}, {@code int[]}, {@code float[]})
     * @throws IllegalArgumentException      a required key is missing or has the wrong shape
     * @throws UnsupportedOperationException the tokenizer model is not one of llama, gpt2, bert
     */
    public static Tokenizer fromGgufMetadata(Map<String, Object> metadata) {
        MetadataValues md = new MetadataValues(metadata);
        Vocabulary vocab = VocabularyLoader.load(md);
        List<String> merges = List.of();
        if (vocab.type == VocabType.BPE) {
            merges = md.strings("tokenizer.ggml.merges").orElseThrow(() -> new IllegalArgumentException(
                    "GGUF metadata has no 'tokenizer.ggml.merges', which a gpt2 (BPE) tokenizer needs"));
        }
        return new GgufTokenizer(vocab, merges);
    }
}
