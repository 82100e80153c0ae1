package io.jserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * SentencePiece-style BPE (llama.cpp's {@code llm_tokenizer_spm}): start from single characters,
 * repeatedly merge the adjacent pair whose concatenation is the highest-scoring token (leftmost on
 * ties), and spell any leftover character that is not a token as byte tokens {@code <0xNN>}.
 * Expects text whose spaces are already {@code ▁}.
 */
final class SpmEncoder {
    private final Vocabulary vocab;
    /** Token for each byte value: {@code <0xNN>}, else the one-char token, else unknown (-1 = none). */
    private final int[] byteTokens = new int[256];

    SpmEncoder(Vocabulary vocab) {
        this.vocab = vocab;
        for (int b = 0; b < 256; b++) {
            int id = vocab.id(String.format("<0x%02X>", b));
            if (id < 0 && b < 0x80) {
                id = vocab.id(String.valueOf((char) b));
            }
            byteTokens[b] = id >= 0 ? id : vocab.special(SpecialToken.UNK);
        }
    }

    /** A candidate merge of symbols {@code left} and {@code right}, valid while they keep {@code length}. */
    private record Bigram(int left, int right, float score, int length) {
    }

    void encode(String text, IntList out) {
        if (text.isEmpty()) {
            return;
        }
        // symbols: one per code point, as [start, start+len) in chars, linked as a list
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, pos = 0; i < n; i++) {
            int cpLen = Character.charCount(text.codePointAt(pos));
            start[i] = pos;
            len[i] = cpLen;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            pos += cpLen;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            addBigram(text, start, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            // stale: one side was merged away, or the right side grew (the left start never moves)
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.length) {
                continue;
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            addBigram(text, start, len, prev[b.left], b.left, queue);
            addBigram(text, start, len, b.left, next[b.left], queue);
        }
        // Every symbol is now a token (merges only make tokens) or a single character.
        for (int i = 0; i != -1; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + len[i]);
            int id = vocab.id(symbol);
            if (id >= 0) {
                out.add(id);
            } else {
                for (byte by : symbol.getBytes(StandardCharsets.UTF_8)) {
                    if (byteTokens[by & 0xFF] >= 0) {
                        out.add(byteTokens[by & 0xFF]);
                    }
                }
            }
        }
    }

    private void addBigram(String text, int[] start, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        int length = len[left] + len[right];
        int id = vocab.id(text.substring(start[left], start[left] + length));
        if (id >= 0) {
            queue.add(new Bigram(left, right, vocab.score(id), length));
        }
    }
}
