package io.jserve.tokenizer;

/**
 * The Llama-3 pre-tokenizer regex
 * {@code (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+},
 * written out by hand as llama.cpp's {@code unicode_regex_split_custom_llama3} does (numbers in
 * groups of at most three digits, line breaks kept with the white space before them).
 */
final class Llama3SplitRule extends PieceSplitRule {

    @Override
    void splitPiece(PieceCursor c) {
        int pos = c.start();
        while (pos < c.end()) {
            int cp = c.cp(pos);
            int contraction = c.contraction(pos, true);
            if (contraction > 0) {
                pos += c.cut(pos + contraction);
                continue;
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cp == '\r' || cp == '\n' || c.isNumber(pos)) && (c.isLetter(pos) || c.isLetter(pos + 1))) {
                pos++;
                while (c.isLetter(pos)) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            // \p{N}{1,3}
            if (c.isNumber(pos)) {
                int groupStart = pos;
                while (c.isNumber(pos)) {
                    if (++pos - groupStart >= 3) {
                        c.cut(pos);
                        groupStart = pos;
                    }
                }
                c.cut(pos);
                continue;
            }
            // ' ?[^\s\p{L}\p{N}]+[\r\n]*'. As in llama.cpp, a lone space at the very end of the
            // piece also lands here (the look-ahead position is out of range, so "not a class").
            int look = cp == ' ' ? pos + 1 : pos;
            if (c.isOther(look) || !c.inRange(look)) {
                pos = look;
                while (c.isOther(pos)) {
                    pos++;
                }
                while (c.cp(pos) == '\r' || c.cp(pos) == '\n') {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            int spaces = 0;
            int afterLastLineBreak = 0;
            while (c.isWhitespace(pos + spaces)) {
                int ws = c.cp(pos + spaces);
                if (ws == '\r' || ws == '\n') {
                    afterLastLineBreak = pos + spaces + 1;
                }
                spaces++;
            }
            if (afterLastLineBreak > 0) {          // \s*[\r\n]+
                pos = afterLastLineBreak;
                c.cut(pos);
                continue;
            }
            if (spaces > 1 && c.inRange(pos + spaces)) {   // \s+(?!\S)
                pos += spaces - 1;
                c.cut(pos);
                continue;
            }
            if (spaces > 0) {                      // \s+
                pos += spaces;
                c.cut(pos);
                continue;
            }
            c.cut(++pos);
        }
    }
}
