package io.jserve.tokenizer;

/** The tokenizer algorithms, by their GGUF {@code tokenizer.ggml.model} name. */
enum VocabType {
    /** SentencePiece-style: score-ordered merges over characters, byte fallback, ▁ for spaces. */
    SPM("llama"),
    /** Byte-level BPE: regex pre-split, GPT-2 byte-to-unicode mapping, rank-ordered merges. */
    BPE("gpt2"),
    /** WordPiece (BERT): greedy longest match per word. */
    WPM("bert");

    private final String ggufName;

    VocabType(String ggufName) {
        this.ggufName = ggufName;
    }

    static VocabType fromGgufName(String name) {
        for (VocabType t : values()) {
            if (t.ggufName.equals(name)) {
                return t;
            }
        }
        throw new UnsupportedOperationException("tokenizer model '" + name + "' (tokenizer.ggml.model)"
                + " is not supported; supported: llama (SentencePiece), gpt2 (byte-level BPE), bert (WordPiece)");
    }
}
