package io.jserve.tokenizer;

/**
 * Walks one piece {@code [start, end)} of a text for the hand-written splitters: class tests that
 * are false outside the piece (llama.cpp's OUT_OF_RANGE), and {@link #cut} to end a new piece.
 */
final class PieceCursor {
    static final int OUT_OF_RANGE = -1;

    private final CodepointText text;
    private final int start;
    private final int end;
    private final IntList out;
    private int previousEnd;

    PieceCursor(CodepointText text, int start, int end, IntList out) {
        this.text = text;
        this.start = start;
        this.end = end;
        this.out = out;
        this.previousEnd = start;
    }

    int start() {
        return start;
    }

    int end() {
        return end;
    }

    boolean inRange(int pos) {
        return pos >= start && pos < end;
    }

    int cp(int pos) {
        return inRange(pos) ? text.at(pos) : OUT_OF_RANGE;
    }

    boolean isLetter(int pos) {
        return inRange(pos) && UnicodeClasses.isLetter(text.at(pos));
    }

    boolean isNumber(int pos) {
        return inRange(pos) && UnicodeClasses.isNumber(text.at(pos));
    }

    boolean isWhitespace(int pos) {
        return inRange(pos) && UnicodeClasses.isWhitespace(text.at(pos));
    }

    /** {@code [^\s\p{L}\p{N}]} inside the piece. */
    boolean isOther(int pos) {
        if (!inRange(pos)) {
            return false;
        }
        int cp = text.at(pos);
        return !UnicodeClasses.isWhitespace(cp) && !UnicodeClasses.isLetter(cp) && !UnicodeClasses.isNumber(cp);
    }

    /** Ends the current piece at {@code pos} (nothing when empty); returns the piece's length. */
    int cut(int pos) {
        int len = pos - previousEnd;
        if (len > 0) {
            out.add(len);
        }
        previousEnd = pos;
        return len;
    }

    /**
     * Matches an English contraction at {@code pos} ({@code 's 't 'm 'd 're 've 'll}); returns its
     * length (2 or 3), or 0. With {@code ignoreCase}, the letters may be upper case.
     */
    int contraction(int pos, boolean ignoreCase) {
        if (cp(pos) != '\'' || pos + 1 >= end) {
            return 0;
        }
        int next = lower(cp(pos + 1), ignoreCase);
        if (next == 's' || next == 't' || next == 'm' || next == 'd') {
            return 2;
        }
        if (pos + 2 < end) {
            int nextNext = lower(cp(pos + 2), ignoreCase);
            if ((next == 'r' && nextNext == 'e') || (next == 'v' && nextNext == 'e')
                    || (next == 'l' && nextNext == 'l')) {
                return 3;
            }
        }
        return 0;
    }

    private static int lower(int cp, boolean ignoreCase) {
        return ignoreCase ? Character.toLowerCase(cp) : cp;
    }
}
