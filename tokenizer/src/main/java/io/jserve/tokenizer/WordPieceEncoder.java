package io.jserve.tokenizer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * WordPiece for BERT vocabularies (llama.cpp's {@code llm_tokenizer_wpm}): lower-case the text, reduce
 * accented letters to their base letter, split on white space and around punctuation and CJK
 * ideographs, then cut each word greedily into the longest vocabulary pieces. The GGUF vocabulary
 * marks word starts with {@code ▁}; a word that cannot be cut becomes the unknown token.
 */
final class WordPieceEncoder {
    private final Vocabulary vocab;

    WordPieceEncoder(Vocabulary vocab) {
        this.vocab = vocab;
    }

    void encode(String text, IntList out) {
        for (String word : words(text)) {
            String w = "\u2581" + word;
            int before = out.size();
            IntList pieces = new IntList();
            boolean complete = true;
            for (int i = 0; i < w.length() && complete; ) {
                int matched = -1;
                for (int j = Math.min(w.length(), i + vocab.maxTokenLength + 1); j > i; j--) {
                    int id = vocab.id(w.substring(i, j));
                    if (id >= 0) {
                        pieces.add(id);
                        matched = j;
                        break;
                    }
                }
                complete = matched > 0;
                i = matched;
            }
            if (complete) {
                out.addAll(pieces.toArray());
            }
            if (out.size() == before) {
                out.add(vocab.special(SpecialToken.UNK));
            }
        }
    }

    /** BERT's basic tokenizer: normalised words, punctuation and CJK characters as words of their own. */
    static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        text.codePoints().map(WordPieceEncoder::baseLetter).forEach(cp -> {
            if (UnicodeClasses.isWhitespace(cp)) {
                flush(current, words);
                return;
            }
            if (cp == 0 || cp == 0xFFFD || UnicodeClasses.isControl(cp) || UnicodeClasses.isAccentMark(cp)) {
                return;
            }
            int lower = Character.toLowerCase(cp);
            if (UnicodeClasses.isPunctuation(cp) || (cp < 0x7F && UnicodeClasses.isSymbol(cp)) || isChinese(cp)) {
                flush(current, words);
                words.add(new String(Character.toChars(lower)));
            } else {
                current.appendCodePoint(lower);
            }
        });
        flush(current, words);
        return words;
    }

    private static void flush(StringBuilder current, List<String> words) {
        if (!current.isEmpty()) {
            words.add(current.toString());
            current.setLength(0);
        }
    }

    /** The first code point of the canonical decomposition, as llama.cpp's NFD table gives it. */
    private static int baseLetter(int cp) {
        if (cp < 0xC0) {
            return cp;
        }
        return Normalizer.normalize(new String(Character.toChars(cp)), Normalizer.Form.NFD).codePointAt(0);
    }

    private static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B920 && cp <= 0x2CEAF) || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
