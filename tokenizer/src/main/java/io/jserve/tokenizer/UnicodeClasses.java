package io.jserve.tokenizer;

/**
 * The code point classes llama.cpp's pre-tokenizers test ({@code unicode_cpt_flags}), computed from
 * the JDK's Unicode tables: letter ({@code \p{L}}), number ({@code \p{N}}), punctuation, symbol,
 * accent mark, control, and white space. White space is the Unicode {@code White_Space} property
 * (what Python's {@code regex} module, which generated llama.cpp's table, calls {@code \s}).
 */
final class UnicodeClasses {
    /** Markers llama.cpp substitutes for non-ASCII code points before running std::regex. */
    static final char COLLAPSED_OTHER = 0xD0;
    static final char COLLAPSED_NUMBER = 0xD1;
    static final char COLLAPSED_LETTER = 0xD2;
    static final char COLLAPSED_PUNCTUATION = 0xD3;
    static final char COLLAPSED_ACCENT_MARK = 0xD4;
    static final char COLLAPSED_SYMBOL = 0xD5;
    /** Non-ASCII white space collapses to a vertical tab, which std::regex's {@code \s} matches. */
    static final char COLLAPSED_WHITESPACE = 0x0B;

    private UnicodeClasses() {
    }

    static boolean isLetter(int cp) {
        return Character.isLetter(cp);
    }

    static boolean isNumber(int cp) {
        int t = Character.getType(cp);
        return t == Character.DECIMAL_DIGIT_NUMBER || t == Character.LETTER_NUMBER || t == Character.OTHER_NUMBER;
    }

    static boolean isPunctuation(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                 Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    static boolean isSymbol(int cp) {
        return switch (Character.getType(cp)) {
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> true;
            default -> false;
        };
    }

    static boolean isAccentMark(int cp) {
        return switch (Character.getType(cp)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> true;
            default -> false;
        };
    }

    /** Unicode general category C: control, format, surrogate, private use, unassigned. */
    static boolean isControl(int cp) {
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED -> true;
            default -> false;
        };
    }

    /** The Unicode White_Space property. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    /** The one-char stand-in llama.cpp gives a code point when it runs a category regex. */
    static char collapse(int cp) {
        if (cp < 128) {
            return (char) cp;
        }
        if (isWhitespace(cp)) {
            return COLLAPSED_WHITESPACE;
        }
        if (isNumber(cp)) {
            return COLLAPSED_NUMBER;
        }
        if (isLetter(cp)) {
            return COLLAPSED_LETTER;
        }
        if (isPunctuation(cp)) {
            return COLLAPSED_PUNCTUATION;
        }
        if (isAccentMark(cp)) {
            return COLLAPSED_ACCENT_MARK;
        }
        if (isSymbol(cp)) {
            return COLLAPSED_SYMBOL;
        }
        return COLLAPSED_OTHER;
    }
}
