package io.jserve.tokenizer;

/**
 * The GPT-2 pre-tokenizer regex
 * {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}, written out by
 * hand as llama.cpp's {@code unicode_regex_split_custom_gpt2} does. A run of white space before a
 * word leaves its last space to the word ({@code \s+(?!\S)}), except at the end of the piece.
 */
final class Gpt2SplitRule extends PieceSplitRule {

    @Override
    void splitPiece(PieceCursor c) {
        int pos = c.start();
        while (pos < c.end()) {
            int cp = c.cp(pos);
            int contraction = c.contraction(pos, false);
            if (contraction > 0) {
                pos += c.cut(pos + contraction);
                continue;
            }
            int look = cp == ' ' ? pos + 1 : pos;   // the optional leading space
            if (c.isLetter(look)) {
                pos = look;
                while (c.isLetter(pos)) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            if (c.isNumber(look)) {
                pos = look;
                while (c.isNumber(pos)) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            if (c.isOther(look)) {
                pos = look;
                while (c.isOther(pos)) {
                    pos++;
                }
                c.cut(pos);
                continue;
            }
            int spaces = 0;
            while (c.isWhitespace(pos + spaces)) {
                spaces++;
            }
            if (spaces > 1 && c.inRange(pos + spaces)) {
                pos += spaces - 1;     // \s+(?!\S): leave the last space to the next word
                c.cut(pos);
                continue;
            }
            if (spaces > 0) {
                pos += spaces;
                c.cut(pos);
                continue;
            }
            c.cut(++pos);              // no match: one code point on its own
        }
    }
}
