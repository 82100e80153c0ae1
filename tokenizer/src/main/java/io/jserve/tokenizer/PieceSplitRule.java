package io.jserve.tokenizer;

/**
 * A split rule written out by hand, as llama.cpp writes its common regexes: it walks each existing piece with a
 * {@link PieceCursor} and cuts it; the subclass says where ({@link #splitPiece}).
 */
abstract class PieceSplitRule implements SplitRule {

    @Override
    public final IntList split(CodepointText text, IntList lengths) {
        IntList out = new IntList(lengths.size() * 4);
        int start = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int end = start + lengths.get(i);
            splitPiece(new PieceCursor(text, start, end, out));
            start = end;
        }
        return out;
    }

    /** Cuts the cursor's piece into the rule's pieces (every code point ends up in one). */
    abstract void splitPiece(PieceCursor c);
}
