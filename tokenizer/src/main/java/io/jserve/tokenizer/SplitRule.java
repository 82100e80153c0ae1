package io.jserve.tokenizer;

/**
 * One step of a pre-tokenizer: splits every piece of the text further. Text that a rule's regex
 * does not match stays as pieces of its own, so no code point is ever lost.
 */
interface SplitRule {

    /** The GPT-2 regex, which llama.cpp runs through a hand-written splitter. */
    String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    /** The Llama-3 regex (case-insensitive contractions), also hand-written in llama.cpp. */
    String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    String LLAMA3_ORIGINAL = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /**
     * Splits each piece of {@code text}.
     *
     * @param lengths the current pieces, as code point counts that add up to the text's length
     * @return the new pieces, in the same form
     */
    IntList split(CodepointText text, IntList lengths);

    /** The rule llama.cpp uses for a regex written in its (std::regex + {@code \p{..}}) dialect. */
    static SplitRule of(String llamaRegex) {
        if (llamaRegex.equals(GPT2)) {
            return new Gpt2SplitRule();
        }
        if (llamaRegex.equals(LLAMA3) || llamaRegex.equals(LLAMA3_ORIGINAL)) {
            return new Llama3SplitRule();
        }
        return RegexSplitRule.of(llamaRegex);
    }
}
