package io.jserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * llama.cpp's after-load fix-ups of special tokens ({@code llama_vocab::impl::load}): tokens found by
 * their text (EOT, EOM, FIM), the end-of-generation set, "unused" control tokens, the gpt-oss
 * user-defined tokens, and Phi-3's right-stripping special tokens. Every rule works on the
 * attribute array in place, before the vocabulary is frozen.
 */
final class SpecialTokenRules {
    /** Token texts that end generation in any vocabulary that has them (llama.cpp's list). */
    static final List<String> END_OF_GENERATION_TEXTS = List.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>", "<|tool_response>",
            "<｜end▁of▁sentence｜>", "[e~[");

    private final String[] tokens;
    private final int[] attrs;
    private final Map<String, Integer> ids;

    SpecialTokenRules(String[] tokens, int[] attrs, Map<String, Integer> ids) {
        this.tokens = tokens;
        this.attrs = attrs;
        this.ids = ids;
    }

    /** Finds EOT, EOM and the FIM tokens by text where no key named them; they become control tokens. */
    void detectByText(EnumMap<SpecialToken, Integer> special) {
        for (SpecialToken which : SpecialToken.values()) {
            if (which.detectionTexts().isEmpty() || special.containsKey(which)) {
                continue;
            }
            // the lowest id among the tokens with one of the texts
            which.detectionTexts().stream().map(ids::get).filter(java.util.Objects::nonNull)
                    .min(Integer::compare).ifPresent(id -> {
                        special.put(which, id);
                        attrs[id] |= TokenAttributes.CONTROL;
                    });
        }
        for (int id = 0; id < tokens.length; id++) {
            if ((attrs[id] & TokenAttributes.CONTROL) != 0 && tokens[id].contains("unused")) {
                attrs[id] |= TokenAttributes.UNUSED;
            }
        }
    }

    /** The end-of-generation set; its text-matched members become control tokens. */
    Set<Integer> endOfGeneration(EnumMap<SpecialToken, Integer> special) {
        Set<Integer> eog = new LinkedHashSet<>();
        for (SpecialToken s : List.of(SpecialToken.FIM_PAD, SpecialToken.FIM_REP, SpecialToken.FIM_SEP)) {
            if (special.containsKey(s)) {
                eog.add(special.get(s));
            }
        }
        for (String text : END_OF_GENERATION_TEXTS) {
            Integer id = ids.get(text);
            if (id != null) {
                eog.add(id);
                attrs[id] |= TokenAttributes.CONTROL;
            }
        }
        for (String text : List.of("<|channel|>", "<|message|>", "<|start|>", "<|constrain|>")) {
            Integer id = ids.get(text);
            if (id != null) {
                attrs[id] = TokenAttributes.USER_DEFINED;   // gpt-oss: always rendered
            }
        }
        for (SpecialToken s : List.of(SpecialToken.EOS, SpecialToken.EOT, SpecialToken.EOM)) {
            if (special.containsKey(s)) {
                eog.add(special.get(s));
            }
        }
        // gpt-oss / solar-open: "<|end|>" ends a message, not the generation
        if ((inSet(eog, "<|return|>") && inSet(eog, "<|call|>") || inSet(eog, "<|calls|>") && inSet(eog, "<|flush|>"))
                && inSet(eog, "<|end|>")) {
            int end = ids.get("<|end|>");
            eog.remove(end);
            attrs[end] = TokenAttributes.USER_DEFINED;
        }
        // gemma4: "</s>" is ordinary text there
        if (inSet(eog, "<|tool_response>") && inSet(eog, "</s>")) {
            int s = ids.get("</s>");
            eog.remove(s);
            attrs[s] = TokenAttributes.NORMAL;
        }
        return eog;
    }

    /** Control, user-defined and unknown tokens, longest (in UTF-8 bytes) first, ties by id. */
    int[] specialTokensByLength() {
        return java.util.stream.IntStream.range(0, tokens.length)
                .filter(id -> (attrs[id] & TokenAttributes.SPECIAL) != 0)
                .boxed()
                .sorted(Comparator.comparingInt((Integer id) -> -tokens[id].getBytes(StandardCharsets.UTF_8).length)
                        .thenComparingInt(id -> id))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /**
     * Phi-3: llama.cpp gives its special tokens (and {@code </s>}) RSTRIP, so white space after them is
     * dropped while splitting; {@code <unk>}, {@code <s>} and {@code <|endoftext|>} keep it.
     */
    void applyModelRules(String modelName, int[] specialByLength) {
        String name = modelName.toLowerCase(java.util.Locale.ROOT);
        if (!name.contains("phi-3") && !name.contains("phi3")) {
            return;
        }
        Arrays.stream(specialByLength).forEach(id -> attrs[id] |= TokenAttributes.RSTRIP);
        setFlag("</s>", TokenAttributes.RSTRIP, true);
        for (String t : List.of("<unk>", "<s>", "<|endoftext|>")) {
            setFlag(t, TokenAttributes.RSTRIP, false);
        }
    }

    private void setFlag(String text, int flag, boolean on) {
        Integer id = ids.get(text);
        if (id != null) {
            attrs[id] = on ? attrs[id] | flag : attrs[id] & ~flag;
        }
    }

    private boolean inSet(Set<Integer> eog, String text) {
        Integer id = ids.get(text);
        return id != null && eog.contains(id);
    }
}
