package io.jserve.tokenizer;

/**
 * Per-token attribute bits, numbered as llama.cpp's {@code llama_token_attr}. A token has one kind
 * bit (from the GGUF token type) plus, after loading, possibly CONTROL (llama.cpp marks tokens such
 * as {@code <|im_end|>} control by their text) and LSTRIP/RSTRIP (whitespace eaten around a special
 * token while splitting).
 */
final class TokenAttributes {
    static final int UNDEFINED = 0;
    static final int UNKNOWN = 1;
    static final int UNUSED = 1 << 1;
    static final int NORMAL = 1 << 2;
    static final int CONTROL = 1 << 3;
    static final int USER_DEFINED = 1 << 4;
    static final int BYTE = 1 << 5;
    static final int LSTRIP = 1 << 7;
    static final int RSTRIP = 1 << 8;

    /** Attributes that make a token "special": matched in text before the model's own splitting. */
    static final int SPECIAL = CONTROL | USER_DEFINED | UNKNOWN;

    private TokenAttributes() {
    }

    /** Maps a GGUF {@code tokenizer.ggml.token_type} value to its attribute bit. */
    static int fromGgufType(int type) {
        return switch (type) {
            case 1 -> NORMAL;
            case 2 -> UNKNOWN;
            case 3 -> CONTROL;
            case 4 -> USER_DEFINED;
            case 5 -> UNUSED;
            case 6 -> BYTE;
            default -> UNDEFINED;
        };
    }
}
