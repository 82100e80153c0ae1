package io.jserve.tokenizer;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A loaded vocabulary: token texts, scores, attributes, the text-to-id map, the named special
 * tokens and the flags that steer encoding. Built once by {@link VocabularyLoader}; immutable after.
 */
final class Vocabulary {
    final VocabType type;
    /** For {@link VocabType#BPE} only; null otherwise. */
    final PreTokenizerType preTokenizer;
    private final String[] tokens;
    private final float[] scores;
    private final int[] attrs;
    private final Map<String, Integer> ids;
    private final EnumMap<SpecialToken, Integer> special;
    final boolean addBos;
    final boolean addEos;
    final boolean addSep;
    final boolean addSpacePrefix;
    /** Tokens that end generation, EOS first, in a stable order. */
    final Set<Integer> endOfGeneration;
    /** Control, user-defined and unknown tokens, longest text first: the order they are matched in. */
    private final int[] specialTokensByLength;
    final int maxTokenLength;

    Vocabulary(VocabType type, PreTokenizerType preTokenizer, String[] tokens, float[] scores, int[] attrs,
               Map<String, Integer> ids, EnumMap<SpecialToken, Integer> special, boolean addBos, boolean addEos,
               boolean addSep, boolean addSpacePrefix, Set<Integer> endOfGeneration, int[] specialTokensByLength) {
        this.type = type;
        this.preTokenizer = preTokenizer;
        this.tokens = tokens;
        this.scores = scores;
        this.attrs = attrs;
        this.ids = ids;
        this.special = special;
        this.addBos = addBos;
        this.addEos = addEos;
        this.addSep = addSep;
        this.addSpacePrefix = addSpacePrefix;
        // the vocabulary's EOS first, so callers that want "the" end token can take the first
        Set<Integer> eog = new LinkedHashSet<>();
        if (special.containsKey(SpecialToken.EOS)) {
            eog.add(special.get(SpecialToken.EOS));
        }
        eog.addAll(endOfGeneration);
        this.endOfGeneration = Collections.unmodifiableSet(eog);
        this.specialTokensByLength = specialTokensByLength;
        int max = 0;
        for (String t : tokens) {
            max = Math.max(max, t.length());
        }
        this.maxTokenLength = max;
    }

    int size() {
        return tokens.length;
    }

    /** The id of a token text, or -1. */
    int id(String text) {
        Integer id = ids.get(text);
        return id == null ? -1 : id;
    }

    String text(int id) {
        checkId(id);
        return tokens[id];
    }

    float score(int id) {
        return scores[id];
    }

    boolean has(int id, int attribute) {
        checkId(id);
        return (attrs[id] & attribute) != 0;
    }

    /** The id of a named special token, or -1 when the vocabulary has none. */
    int special(SpecialToken which) {
        return special.getOrDefault(which, -1);
    }

    int specialTokenCount() {
        return specialTokensByLength.length;
    }

    int specialTokenByLength(int rank) {
        return specialTokensByLength[rank];
    }

    void checkId(int id) {
        if (id < 0 || id >= tokens.length) {
            throw new IllegalArgumentException("token id " + id + " is outside the vocabulary [0, " + tokens.length + ")");
        }
    }
}
