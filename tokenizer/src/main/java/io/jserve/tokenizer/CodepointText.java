package io.jserve.tokenizer;

/**
 * A text as code points, with the views the split rules need: the code points themselves (the
 * hand-written splitters), the collapsed one-char-per-code-point form (category regexes) and the
 * plain form with non-ASCII white space replaced (other regexes), as llama.cpp builds them.
 */
final class CodepointText {
    private final int[] cps;
    private String collapsed;
    private String wide;

    CodepointText(int[] cps) {
        this.cps = cps;
    }

    int length() {
        return cps.length;
    }

    int at(int i) {
        return cps[i];
    }

    /** One char per code point: ASCII kept, every other code point replaced by its class marker. */
    String collapsed() {
        if (collapsed == null) {
            char[] c = new char[cps.length];
            for (int i = 0; i < cps.length; i++) {
                c[i] = UnicodeClasses.collapse(cps[i]);
            }
            collapsed = new String(c);
        }
        return collapsed;
    }

    /**
     * The text itself, except that non-ASCII white space becomes U+000B, because std::wregex's
     * {@code \s} (like java.util.regex's) only knows ASCII white space. Supplementary code points
     * take two chars here: callers convert offsets with {@link String#codePointCount}.
     */
    String wide() {
        if (wide == null) {
            StringBuilder sb = new StringBuilder(cps.length);
            for (int cp : cps) {
                sb.appendCodePoint(cp > 0x7F && UnicodeClasses.isWhitespace(cp) ? 0x0B : cp);
            }
            wide = sb.toString();
        }
        return wide;
    }

    String substring(int start, int end) {
        return new String(cps, start, end - start);
    }
}
