package io.jserve.tokenizer;

/**
 * Rewrites a Hugging Face (Python jinja2) chat template into text Jinjava reads the same way.
 * <ul>
 *   <li>{@code \r\n} → {@code \n}, and one trailing newline dropped (jinja2's keep_trailing_newline=False);</li>
 *   <li>{@code x[::-1]} → {@code x|reverse} (Jinjava slices have no step);</li>
 *   <li>a keyword argument {@code name=expr} in a call becomes {@code name=(expr)}: Jinjava binds the
 *       keyword tighter than operators, so {@code namespace(i=messages|length - 1)} would compute
 *       {@code (i=…) - 1}. Macro and call tags are left alone (their defaults are not expressions).</li>
 * </ul>
 */
final class TemplateSourceRewriter {
    private TemplateSourceRewriter() {
    }

    static String rewrite(String source) {
        String text = source.replace("\r\n", "\n");
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        text = text.replace("[::-1]", "|reverse");
        StringBuilder out = new StringBuilder(text.length() + 16);
        int i = 0;
        while (i < text.length()) {
            int open = nextTag(text, i);
            if (open < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, open);
            String closer = text.startsWith("{{", open) ? "}}" : text.startsWith("{%", open) ? "%}" : "#}";
            int close = tagEnd(text, open + 2, closer);
            String tag = text.substring(open, close);
            String keyword = tag.substring(2).replaceFirst("^[-+]?\\s*", "");
            boolean definesArguments = closer.equals("%}") && (keyword.startsWith("macro") || keyword.startsWith("call"));
            out.append(closer.equals("#}") || definesArguments ? tag : wrapKeywordArguments(tag));
            i = close;
        }
        return out.toString();
    }

    private static int nextTag(String text, int from) {
        int best = -1;
        for (String opener : new String[] {"{{", "{%", "{#"}) {
            int at = text.indexOf(opener, from);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** The index just past the tag's closer, skipping string literals; the text's end if unclosed. */
    private static int tagEnd(String text, int from, String closer) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c == '\'' || c == '"') && !closer.equals("#}")) {
                i = stringEnd(text, i) - 1;
            } else if (text.startsWith(closer, i)) {
                return i + 2;
            }
        }
        return text.length();
    }

    /** The index just past the string literal starting at {@code start}. */
    private static int stringEnd(String s, int start) {
        char quote = s.charAt(start);
        for (int i = start + 1; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == quote) {
                return i + 1;
            }
        }
        return s.length();
    }

    /** Wraps the value of every {@code name=value} that directly follows {@code (} or {@code ,} in a call. */
    static String wrapKeywordArguments(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        int depth = 0;
        boolean argumentStart = false;
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = stringEnd(s, i);
                out.append(s, i, end);
                i = end;
                argumentStart = false;
                continue;
            }
            if (argumentStart && depth > 0 && (Character.isLetter(c) || c == '_')) {
                int nameEnd = i;
                while (nameEnd < s.length() && (Character.isLetterOrDigit(s.charAt(nameEnd)) || s.charAt(nameEnd) == '_')) {
                    nameEnd++;
                }
                int eq = nameEnd;
                while (eq < s.length() && s.charAt(eq) == ' ') {
                    eq++;
                }
                if (eq < s.length() && s.charAt(eq) == '=' && (eq + 1 >= s.length() || s.charAt(eq + 1) != '=')) {
                    int valueEnd = valueEnd(s, eq + 1);
                    out.append(s, i, eq + 1).append('(').append(wrapKeywordArguments(s.substring(eq + 1, valueEnd)))
                            .append(')');
                    i = valueEnd;
                    argumentStart = false;
                    continue;
                }
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth = Math.max(0, depth - 1);
            }
            if (!Character.isWhitespace(c)) {
                argumentStart = c == '(' || c == ',';
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Where a keyword argument's value ends: the next {@code ,} or closing bracket at its own level. */
    private static int valueEnd(String s, int from) {
        int depth = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                i = stringEnd(s, i) - 1;
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
        }
        return s.length();
    }
}
