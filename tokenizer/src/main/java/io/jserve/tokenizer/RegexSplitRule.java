package io.jserve.tokenizer;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pre-tokenizer regex run as llama.cpp runs one with std::regex ({@code unicode_regex_split}).
 *
 * <p>A regex that uses Unicode categories ({@code \p{L}}, {@code \p{N}}, …) runs on the
 * <em>collapsed</em> text, where each non-ASCII code point is replaced by one marker char for its
 * class, and each {@code \p{X}} becomes a class of that marker plus the ASCII members of X. This
 * reproduces llama.cpp's quirks exactly: e.g. {@code \p{Lu}} and {@code \p{Ll}} both mean "any letter"
 * beyond ASCII, and {@code ~} is not a symbol. Other regexes run on the plain text.
 * Each match becomes a piece; text between matches becomes a piece too.
 */
final class RegexSplitRule implements SplitRule {
    /** Category → (marker char, ASCII members), as llama.cpp's k_ucat_cpt / k_ucat_map. */
    private static final Map<String, String> CATEGORY_CLASS = Map.of(
            "\\p{N}", marker(UnicodeClasses.COLLAPSED_NUMBER) + "0-9",
            "\\p{L}", marker(UnicodeClasses.COLLAPSED_LETTER) + "A-Za-z",
            "\\p{P}", marker(UnicodeClasses.COLLAPSED_PUNCTUATION) + "!-#%-*,-/:-;?-@\\[-\\]_\\{\\}",
            "\\p{M}", marker(UnicodeClasses.COLLAPSED_ACCENT_MARK),
            "\\p{S}", marker(UnicodeClasses.COLLAPSED_SYMBOL) + "\\$\\+<->\\^`\\|",
            "\\p{Lu}", marker(UnicodeClasses.COLLAPSED_LETTER) + "A-Za-z",
            "\\p{Ll}", marker(UnicodeClasses.COLLAPSED_LETTER) + "A-Za-z",
            "\\p{Lt}", marker(UnicodeClasses.COLLAPSED_LETTER) + "A-Za-z",
            "\\p{Lm}", marker(UnicodeClasses.COLLAPSED_LETTER) + "A-Za-z",
            "\\p{Lo}", marker(UnicodeClasses.COLLAPSED_LETTER) + "A-Za-z");

    private final Pattern pattern;
    private final boolean collapsed;

    private RegexSplitRule(Pattern pattern, boolean collapsed) {
        this.pattern = pattern;
        this.collapsed = collapsed;
    }

    static RegexSplitRule of(String llamaRegex) {
        boolean usesCategories = CATEGORY_CLASS.keySet().stream().anyMatch(llamaRegex::contains);
        if (!usesCategories) {
            return new RegexSplitRule(Pattern.compile(llamaRegex), false);
        }
        if (llamaRegex.chars().anyMatch(c -> c >= 128)) {
            throw new IllegalArgumentException("a regex with both Unicode categories and non-ASCII text"
                    + " is not supported (as in llama.cpp): " + llamaRegex);
        }
        return new RegexSplitRule(Pattern.compile(collapse(llamaRegex)), true);
    }

    /** llama.cpp's regex rewrite: {@code \p{X}} → {@code [marker ascii]}, or its inside within [..]. */
    static String collapse(String regex) {
        StringBuilder out = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < regex.length(); i++) {
            char ch = regex.charAt(i);
            if (ch == '[' && (i == 0 || regex.charAt(i - 1) != '\\')) {
                out.append('[');
                inside = true;
                continue;
            }
            if (inside && ch == ']' && regex.charAt(i - 1) != '\\') {
                out.append(']');
                inside = false;
                continue;
            }
            if (ch == '\\' && i + 3 < regex.length() && regex.charAt(i + 1) == 'p' && regex.charAt(i + 2) == '{') {
                int close = regex.indexOf('}', i + 3);
                String members = close < 0 ? null : CATEGORY_CLASS.get(regex.substring(i, close + 1));
                if (members != null) {
                    out.append(inside ? members : "[" + members + "]");
                    i = close;
                    continue;
                }
            }
            out.append(ch);
        }
        return out.toString();
    }

    @Override
    public IntList split(CodepointText text, IntList lengths) {
        IntList out = new IntList(lengths.size() * 4);
        String source = collapsed ? text.collapsed() : text.wide();
        int charStart = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int cpLength = lengths.get(i);
            // collapsed text has one char per code point; the plain text may have surrogate pairs
            int charLength = collapsed ? cpLength : source.offsetByCodePoints(charStart, cpLength) - charStart;
            splitPiece(source.substring(charStart, charStart + charLength), out);
            charStart += charLength;
        }
        return out;
    }

    private void splitPiece(String piece, IntList out) {
        Matcher m = pattern.matcher(piece);
        int last = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;   // an empty match cuts nothing (std::regex_iterator would skip it too)
            }
            if (m.start() > last) {
                out.add(count(piece, last, m.start()));
            }
            out.add(count(piece, m.start(), m.end()));
            last = m.end();
        }
        if (last < piece.length()) {
            out.add(count(piece, last, piece.length()));
        }
    }

    private int count(String piece, int from, int to) {
        return collapsed ? to - from : piece.codePointCount(from, to);
    }

    private static String marker(char c) {
        return String.format("\\x{%X}", (int) c);
    }
}
