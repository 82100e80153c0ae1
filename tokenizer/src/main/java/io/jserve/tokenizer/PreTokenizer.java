package io.jserve.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into the words that BPE merges run within: the regexes of one
 * {@link PreTokenizerType}, applied one after the other, each splitting the pieces of the last.
 */
final class PreTokenizer {
    private final List<SplitRule> rules;

    PreTokenizer(List<String> llamaRegexes) {
        if (llamaRegexes.isEmpty()) {
            throw new IllegalArgumentException("a pre-tokenizer needs at least one regex");
        }
        this.rules = llamaRegexes.stream().map(SplitRule::of).toList();
    }

    /** The words of {@code text}, in order; they concatenate back to {@code text}. */
    List<String> split(String text) {
        int[] cps = text.codePoints().toArray();
        if (cps.length == 0) {
            return List.of();
        }
        CodepointText cpText = new CodepointText(cps);
        IntList lengths = new IntList(1);
        lengths.add(cps.length);
        for (SplitRule rule : rules) {
            lengths = rule.split(cpText, lengths);
        }
        List<String> words = new ArrayList<>(lengths.size());
        int start = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int end = start + lengths.get(i);
            words.add(cpText.substring(start, end));
            start = end;
        }
        return words;
    }
}
