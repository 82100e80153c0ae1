package io.jserve.tokenizer;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a {@link Vocabulary} from GGUF metadata the way llama.cpp's {@code llama_vocab::impl::load}
 * does: per-model defaults for the special tokens and the BOS/EOS/space-prefix flags, then the keys
 * that override them, then {@link SpecialTokenRules}.
 */
final class VocabularyLoader {
    private static final System.Logger LOG = System.getLogger(VocabularyLoader.class.getName());

    private VocabularyLoader() {
    }

    static Vocabulary load(MetadataValues md) {
        VocabType type = VocabType.fromGgufName(md.requireString("tokenizer.ggml.model"));
        EnumMap<SpecialToken, Integer> special = new EnumMap<>(SpecialToken.class);
        PreTokenizerType pre = null;
        boolean addBos;
        boolean addSep = false;
        boolean addSpacePrefix = false;
        switch (type) {
            case SPM -> {
                special.putAll(Map.of(SpecialToken.BOS, 1, SpecialToken.EOS, 2, SpecialToken.UNK, 0));
                addSpacePrefix = true;
                addBos = true;
            }
            case BPE -> {
                special.putAll(Map.of(SpecialToken.BOS, 11, SpecialToken.EOS, 11));
                pre = preTokenizer(md.string("tokenizer.ggml.pre").orElse(null));
                addBos = pre.addBos();
            }
            case WPM -> {
                special.putAll(Map.of(SpecialToken.BOS, 101, SpecialToken.UNK, 100, SpecialToken.SEP, 102,
                        SpecialToken.PAD, 0, SpecialToken.MASK, 103));
                addBos = true;
                addSep = true;
            }
            default -> throw new IllegalStateException("unreachable: " + type);
        }
        addSpacePrefix = md.bool("tokenizer.ggml.add_space_prefix").orElse(addSpacePrefix);

        List<String> tokenList = md.strings("tokenizer.ggml.tokens")
                .orElseThrow(() -> new IllegalArgumentException("GGUF metadata has no 'tokenizer.ggml.tokens'"));
        int n = tokenList.size();
        float[] scores = md.floats("tokenizer.ggml.scores").orElse(new float[n]);
        int[] types = md.ints("tokenizer.ggml.token_type").orElse(null);
        if (scores.length < n || (types != null && types.length < n)) {
            throw new IllegalArgumentException("GGUF metadata: " + n + " tokens but " + scores.length
                    + " scores and " + (types == null ? "no" : types.length) + " token types");
        }
        String[] tokens = new String[n];
        int[] attrs = new int[n];
        Map<String, Integer> ids = HashMap.newHashMap(n);
        for (int i = 0; i < n; i++) {
            String text = tokenList.get(i);
            if (text.isEmpty()) {
                text = "[EMPTY_" + i + "]";     // as llama.cpp names them
            }
            tokens[i] = text;
            attrs[i] = types == null ? TokenAttributes.NORMAL : TokenAttributes.fromGgufType(types[i]);
            Integer previous = ids.putIfAbsent(text, i);
            if (previous != null) {
                LOG.log(System.Logger.Level.WARNING, "duplicate token ''{0}'' has ids {1} and {2}; using {1}",
                        text, previous, i);
            }
        }

        readSpecialIds(md, special, n);
        addBos = md.bool("tokenizer.ggml.add_bos_token").orElse(addBos);
        boolean addEos = md.bool("tokenizer.ggml.add_eos_token").orElse(false);
        addSep = md.bool("tokenizer.ggml.add_sep_token").orElse(addSep);
        requireIfAdded(addBos, special, SpecialToken.BOS, "add_bos_token");
        requireIfAdded(addEos, special, SpecialToken.EOS, "add_eos_token");
        requireIfAdded(addSep, special, SpecialToken.SEP, "add_sep_token");

        SpecialTokenRules rules = new SpecialTokenRules(tokens, attrs, ids);
        rules.detectByText(special);
        Set<Integer> eog = rules.endOfGeneration(special);
        int[] byLength = rules.specialTokensByLength();
        rules.applyModelRules(md.string("general.name").orElse(""), byLength);
        return new Vocabulary(type, pre, tokens, scores, attrs, ids, special, addBos, addEos, addSep,
                addSpacePrefix, eog, byLength);
    }

    /** llama.cpp: missing means "default"; an unknown name is an error there, the GPT-2 regex here. */
    private static PreTokenizerType preTokenizer(String name) {
        if (name == null) {
            LOG.log(System.Logger.Level.WARNING, "no tokenizer.ggml.pre: using the 'default' pre-tokenizer;"
                    + " generation quality may suffer, consider regenerating the model");
            return PreTokenizerType.DEFAULT;
        }
        PreTokenizerType t = PreTokenizerType.byName(name);
        if (t == null) {
            LOG.log(System.Logger.Level.WARNING, "unknown pre-tokenizer ''{0}'' (tokenizer.ggml.pre):"
                    + " falling back to the GPT-2 regex; tokenization may differ from the model's", name);
            return PreTokenizerType.GPT2;
        }
        return t;
    }

    private static void readSpecialIds(MetadataValues md, EnumMap<SpecialToken, Integer> special, int n) {
        special.values().removeIf(id -> id >= n);      // defaults outside the vocabulary are disabled
        for (SpecialToken which : SpecialToken.values()) {
            for (String key : which.ggufKeys()) {
                md.uint32(key).ifPresent(id -> {
                    if (id == 0xFFFFFFFFL) {
                        special.remove(which); // llama.cpp's converters write 0xFFFFFFFF for "none"
                    } else if (id >= n) {
                        LOG.log(System.Logger.Level.WARNING, "bad special token {0} = {1}: outside the"
                                + " vocabulary, keeping {2}", key, id, special.getOrDefault(which, -1));
                    } else {
                        special.put(which, id.intValue());
                    }
                });
            }
        }
    }

    private static void requireIfAdded(boolean added, EnumMap<SpecialToken, Integer> special, SpecialToken which,
                                       String key) {
        if (added && !special.containsKey(which)) {
            throw new IllegalArgumentException("tokenizer.ggml." + key + " is true, but the vocabulary has no "
                    + which.name() + " token");
        }
    }
}
