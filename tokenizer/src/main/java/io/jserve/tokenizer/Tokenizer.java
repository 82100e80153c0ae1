package io.jserve.tokenizer;

import java.util.OptionalInt;
import java.util.Set;

/**
 * Text to token ids and back, for one model's vocabulary.
 *
 * <p>Implementations mirror llama.cpp ({@code llama_vocab}) so that a prompt gets exactly the ids
 * llama.cpp would give it: the same pre-tokenizer split, the same merges, the same special-token
 * handling. Instances are immutable and safe to share between threads.
 */
public interface Tokenizer {

    /**
     * Encodes text.
     *
     * @param text         the text; may be empty
     * @param addSpecial   add the BOS/EOS tokens the model asks for ({@link #addBos()})
     * @param parseSpecial match the text of control tokens (e.g. {@code <|im_start|>}) and turn it
     *                     into those tokens. Leave it false for user content, so a user cannot forge
     *                     control tokens. User-defined tokens (GGUF token type 4, e.g.
     *                     {@code <think>}) are matched either way, as llama.cpp does.
     */
    int[] encode(String text, boolean addSpecial, boolean parseSpecial);

    /**
     * The bytes a token stands for in generated text. Control and unknown tokens give no bytes
     * (they are never shown); user-defined tokens give their text; byte tokens give one byte. The
     * bytes of one token need not be valid UTF-8 on their own: see {@link IncrementalDecoder}.
     */
    byte[] tokenBytes(int id);

    /**
     * Decodes a whole sequence: the concatenated {@link #tokenBytes} as UTF-8 (malformed bytes
     * become U+FFFD), minus the space a SentencePiece vocabulary put in front of the text.
     * {@code decode(encode(s, …, false))} gives back {@code s} for the lossless vocabularies.
     */
    String decode(int[] ids);

    /** Number of tokens in the vocabulary; ids are {@code 0 .. vocabSize()-1}. */
    int vocabSize();

    /** The beginning-of-sequence token, or -1 when the vocabulary has none. */
    int bosId();

    /**
     * Every token that ends generation: EOS, EOT, EOM and the others llama.cpp recognises by their
     * text ({@code <|im_end|>}, {@code <|eot_id|>}, {@code <|endoftext|>}, …). Iteration order is
     * stable, with the vocabulary's EOS token first.
     */
    Set<Integer> eosIds();

    /** The vocabulary's own end-of-sequence token ({@code tokenizer.ggml.eos_token_id}), or -1 if it has none. */
    int eosId();

    /** Whether {@link #encode} with {@code addSpecial} puts BOS in front. */
    boolean addBos();

    /** The id of a token by its exact vocabulary text (e.g. {@code "<|im_end|>"}, {@code "▁the"}). */
    OptionalInt tokenId(String piece);

    /** The exact vocabulary text of a token (SentencePiece's {@code ▁}, GPT-2's {@code Ġ} kept). */
    String piece(int id);

    /** Whether a token is a control, user-defined or unknown token (llama.cpp's special tokens). */
    boolean isSpecial(int id);
}
