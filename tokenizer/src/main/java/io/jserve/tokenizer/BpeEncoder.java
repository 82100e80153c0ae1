package io.jserve.tokenizer;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-level BPE (llama.cpp's {@code llm_tokenizer_bpe_session}): pre-split the text into words,
 * write each word's UTF-8 bytes in GPT-2's byte alphabet, then repeatedly merge the adjacent pair
 * with the lowest merge rank (leftmost on ties). A priority queue keeps this O(n log n) per word.
 */
final class BpeEncoder {
    private static final int MAX_CACHED_WORD = 64;
    private static final int MAX_CACHED_WORDS = 100_000;
    private final Vocabulary vocab;
    private final PreTokenizer preTokenizer;
    /** "left right" → rank, as the merge lines read; the first line wins, as in llama.cpp. */
    private final Map<String, Integer> ranks;
    /** Ids of recently seen words: natural text repeats words, and a word's ids never change. */
    private final Map<String, int[]> wordCache = new ConcurrentHashMap<>();

    BpeEncoder(Vocabulary vocab, List<String> merges) {
        this.vocab = vocab;
        this.preTokenizer = new PreTokenizer(vocab.preTokenizer.regexes());
        this.ranks = HashMap.newHashMap(merges.size());
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
    }

    /** A candidate merge of symbols {@code left} and {@code right}, valid while they keep {@code length}. */
    private record Bigram(int left, int right, int rank, int length) {
    }

    void encode(String text, IntList out) {
        for (String word : preTokenizer.split(text)) {
            if (word.length() > MAX_CACHED_WORD) {
                encodeWord(ByteLevel.encode(word), out);
                continue;
            }
            int[] ids = wordCache.get(word);
            if (ids == null) {
                IntList wordIds = new IntList(word.length());
                encodeWord(ByteLevel.encode(word), wordIds);
                ids = wordIds.toArray();
                if (wordCache.size() >= MAX_CACHED_WORDS) {
                    wordCache.clear();      // crude but bounded; refills with the words in use
                }
                wordCache.put(word, ids);
            }
            out.addAll(ids);
        }
    }

    private void encodeWord(String word, IntList out) {
        if (vocab.preTokenizer.ignoreMerges()) {
            int id = vocab.id(word);
            if (id >= 0) {
                out.add(id);
                return;
            }
        }
        // one symbol per char: each char of a byte-level word stands for one byte
        int n = word.length();
        int[] len = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.rank != b.rank
                ? Integer.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            addBigram(word, len, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram b = queue.poll();
            if (len[b.left] == 0 || len[b.right] == 0 || len[b.left] + len[b.right] != b.length) {
                continue;   // stale: a side was merged away or grew since this pair was queued
            }
            len[b.left] += len[b.right];
            len[b.right] = 0;
            next[b.left] = next[b.right];
            if (next[b.right] >= 0) {
                prev[next[b.right]] = b.left;
            }
            addBigram(word, len, prev[b.left], b.left, queue);
            addBigram(word, len, b.left, next[b.left], queue);
        }
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            emitSymbol(word.substring(i, i + len[i]), out);
        }
    }

    /**
     * A symbol that is not a token is spelled char by char, as llama.cpp does: it looks each byte of
     * the symbol's UTF-8 up as a one-byte token, which only ever finds printable ASCII.
     */
    private void emitSymbol(String symbol, IntList out) {
        int id = vocab.id(symbol);
        if (id >= 0) {
            out.add(id);
            return;
        }
        for (int k = 0; k < symbol.length(); k++) {
            char c = symbol.charAt(k);
            int single = c < 0x80 ? vocab.id(String.valueOf(c)) : -1;
            if (single >= 0) {
                out.add(single);
            }
        }
    }

    private void addBigram(String word, int[] len, int left, int right, PriorityQueue<Bigram> queue) {
        if (left == -1 || right == -1) {
            return;
        }
        String key = word.substring(left, left + len[left]) + ' ' + word.substring(right, right + len[right]);
        Integer rank = ranks.get(key);
        if (rank != null) {
            queue.add(new Bigram(left, right, rank, len[left] + len[right]));
        }
    }
}
