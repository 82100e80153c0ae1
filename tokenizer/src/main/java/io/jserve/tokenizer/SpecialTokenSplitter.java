package io.jserve.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts special-token text out of a string before the model's own tokenizer sees it (llama.cpp's
 * {@code tokenizer_st_partition}). Tokens are tried longest first; each occurrence in a text fragment
 * becomes a token fragment. Control and unknown tokens are matched only when asked
 * ({@code parseSpecial}); user-defined tokens always are. A token with LSTRIP/RSTRIP also eats the
 * ASCII white space before/after it.
 */
final class SpecialTokenSplitter {

    /** A piece of the input: a token (id ≥ 0) or the text {@code [start, end)} (token -1). */
    record Fragment(int token, int start, int end) {
        boolean isText() {
            return token < 0;
        }
    }

    private SpecialTokenSplitter() {
    }

    static List<Fragment> split(Vocabulary vocab, String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment(-1, 0, text.length()));
        for (int rank = 0; rank < vocab.specialTokenCount(); rank++) {
            int id = vocab.specialTokenByLength(rank);
            if (!parseSpecial && vocab.has(id, TokenAttributes.CONTROL | TokenAttributes.UNKNOWN)) {
                continue;
            }
            fragments = splitAll(vocab, text, fragments, id);
        }
        return fragments;
    }

    private static List<Fragment> splitAll(Vocabulary vocab, String text, List<Fragment> fragments, int id) {
        String token = vocab.text(id);
        boolean lstrip = vocab.has(id, TokenAttributes.LSTRIP);
        boolean rstrip = vocab.has(id, TokenAttributes.RSTRIP);
        List<Fragment> out = new ArrayList<>(fragments.size() + 2);
        for (Fragment f : fragments) {
            if (!f.isText() || text.indexOf(token, f.start(), f.end()) < 0) {
                out.add(f);
                continue;
            }
            int start = f.start();
            int end = f.end();
            while (start < end) {
                int match = text.indexOf(token, start, end);
                if (match < 0) {
                    out.add(new Fragment(-1, start, end));
                    break;
                }
                int leftEnd = match;
                while (lstrip && leftEnd > start && isSpace(text.charAt(leftEnd - 1))) {
                    leftEnd--;
                }
                if (leftEnd > start) {
                    out.add(new Fragment(-1, start, leftEnd));
                }
                out.add(new Fragment(id, match, match + token.length()));
                start = match + token.length();
                while (rstrip && start < end && isSpace(text.charAt(start))) {
                    start++;
                }
            }
        }
        return out;
    }

    /** C's isspace in the "C" locale, which llama.cpp uses for LSTRIP/RSTRIP. */
    private static boolean isSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }
}
