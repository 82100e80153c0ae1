package io.jserve.tokenizer;

import java.util.List;

/**
 * The BPE pre-tokenizers llama.cpp selects by {@code tokenizer.ggml.pre}, with their regexes
 * (llama.cpp's {@code llm_tokenizer_bpe}, written in its std::regex dialect) and the vocabulary
 * flags the choice implies (llama-3 style vocabularies skip merges for whole-word tokens and add BOS).
 */
enum PreTokenizerType {
    DEFAULT(List.of("default"), false, false,
            "[\\p{P}\\$\\+<=>\\^~\\|]+", SplitRule.GPT2, "\\p{N}+", "[0-9][0-9][0-9]"),
    GPT2(List.of("gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
            "mellum", "modern-bert", "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "olmo", "jais",
            "trillion", "granite-docling"), false, false,
            SplitRule.GPT2),
    MPT(List.of("mpt"), false, false, SplitRule.GPT2),
    LLAMA3(List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"),
            true, true, SplitRule.LLAMA3),
    DBRX(List.of("dbrx", "smaug-bpe"), false, false, SplitRule.LLAMA3),
    DEEPSEEK_LLM(List.of("deepseek-llm"), false, false,
            "[\r\n]",
            "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF\uD83A\uDD00-\uD83A\uDD43]+",
            "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+",
            "\\s+$",
            "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
            "\\p{N}+"),
    DEEPSEEK_CODER(List.of("deepseek-coder"), false, false,
            "[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", "\\p{N}"),
    FALCON(List.of("falcon"), false, false,
            "[\\p{P}\\$\\+<=>\\^~\\|`]+", SplitRule.GPT2, "[0-9][0-9][0-9]"),
    STARCODER(List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"),
            false, false, "\\p{N}", SplitRule.GPT2),
    QWEN2(List.of("qwen2", "deepseek-r1-qwen", "stablelm2", "megrez", "hunyuan", "kormo"), false, false,
            "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    PORO(List.of("poro-chat", "bloom", "gpt3-finnish"), false, false, " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+"),
    VIKING(List.of("viking"), false, false, " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+", "\\p{N}"),
    TEKKEN(List.of("tekken"), true, true,
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
                    + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*"
                    + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    GPT4O(List.of("gpt-4o", "llama4"), false, false,
            "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
                    + "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?"
                    + "|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+((?=[\\p{L}])([^A-Z]))*"
                    + "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?"
                    + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private final List<String> names;
    private final boolean ignoreMerges;
    private final boolean addBos;
    private final List<String> regexes;

    PreTokenizerType(List<String> names, boolean ignoreMerges, boolean addBos, String... regexes) {
        this.names = names;
        this.ignoreMerges = ignoreMerges;
        this.addBos = addBos;
        this.regexes = List.of(regexes);
    }

    /** The type for a {@code tokenizer.ggml.pre} value, or null when llama.cpp does not know it. */
    static PreTokenizerType byName(String name) {
        for (PreTokenizerType t : values()) {
            if (t.names.contains(name)) {
                return t;
            }
        }
        return null;
    }

    /** Whether a word that is itself a token skips the merges (llama.cpp's ignore_merges). */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** Whether the vocabulary adds BOS by default (before {@code tokenizer.ggml.add_bos_token}). */
    boolean addBos() {
        return addBos;
    }

    List<String> regexes() {
        return regexes;
    }
}
