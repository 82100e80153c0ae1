package io.jserve.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The {@link Tokenizer} for a GGUF vocabulary: special-token splitting, then the vocabulary's own
 * algorithm on each text fragment, with BOS/EOS as llama.cpp's {@code llama_vocab::impl::tokenize}
 * adds them. Token bytes are computed once at load.
 */
final class GgufTokenizer implements Tokenizer {
    private final Vocabulary vocab;
    private final SpmEncoder spm;
    private final BpeEncoder bpe;
    private final WordPieceEncoder wpm;
    private final byte[][] tokenBytes;

    GgufTokenizer(Vocabulary vocab, List<String> merges) {
        this.vocab = vocab;
        this.spm = vocab.type == VocabType.SPM ? new SpmEncoder(vocab) : null;
        this.bpe = vocab.type == VocabType.BPE ? new BpeEncoder(vocab, merges) : null;
        this.wpm = vocab.type == VocabType.WPM ? new WordPieceEncoder(vocab) : null;
        this.tokenBytes = new byte[vocab.size()][];
        for (int id = 0; id < tokenBytes.length; id++) {
            tokenBytes[id] = computeBytes(id);
        }
    }

    @Override
    public int[] encode(String text, boolean addSpecial, boolean parseSpecial) {
        String clean = withoutLoneSurrogates(text);
        IntList out = new IntList(clean.length() / 3 + 4);
        if (addSpecial && (vocab.addBos || vocab.type == VocabType.WPM)) {
            out.add(vocab.special(SpecialToken.BOS));
        }
        boolean previousWasSpecial = true;    // SPM: a text fragment after a token gets the ▁ prefix
        for (SpecialTokenSplitter.Fragment f : SpecialTokenSplitter.split(vocab, clean, parseSpecial)) {
            if (!f.isText()) {
                out.add(f.token());
                previousWasSpecial = true;
                continue;
            }
            String fragment = clean.substring(f.start(), f.end());
            switch (vocab.type) {
                case SPM -> {
                    String prefixed = vocab.addSpacePrefix && previousWasSpecial ? " " + fragment : fragment;
                    spm.encode(prefixed.replace(' ', '\u2581'), out);
                }
                case BPE -> bpe.encode(fragment, out);
                case WPM -> wpm.encode(fragment, out);
                default -> throw new IllegalStateException("unreachable: " + vocab.type);
            }
            previousWasSpecial = false;
        }
        if (addSpecial && vocab.type == VocabType.WPM) {
            out.add(vocab.special(SpecialToken.SEP));
        } else if (addSpecial && vocab.addEos) {
            out.add(vocab.special(SpecialToken.EOS));
        }
        return out.toArray();
    }

    @Override
    public byte[] tokenBytes(int id) {
        vocab.checkId(id);
        return tokenBytes[id].clone();
    }

    @Override
    public String decode(int[] ids) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(ids.length * 4);
        boolean stripSpace = vocab.addSpacePrefix;
        for (int id : ids) {
            vocab.checkId(id);
            byte[] b = tokenBytes[id];
            if (b.length == 0) {
                continue;
            }
            // SentencePiece: the first text token carries the space encode() put in front
            int skip = stripSpace && b[0] == ' ' ? 1 : 0;
            stripSpace = false;
            out.write(b, skip, b.length - skip);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public int bosId() {
        return vocab.special(SpecialToken.BOS);
    }

    @Override
    public Set<Integer> eosIds() {
        return vocab.endOfGeneration;
    }

    @Override
    public int eosId() {
        return vocab.special(SpecialToken.EOS);
    }

    @Override
    public boolean addBos() {
        return vocab.addBos;
    }

    @Override
    public OptionalInt tokenId(String piece) {
        int id = vocab.id(piece);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public String piece(int id) {
        return vocab.text(id);
    }

    @Override
    public boolean isSpecial(int id) {
        return vocab.has(id, TokenAttributes.SPECIAL);
    }

    /** llama.cpp's token_to_piece with special=false. */
    private byte[] computeBytes(int id) {
        String text = vocab.text(id);
        if (vocab.has(id, TokenAttributes.CONTROL | TokenAttributes.UNKNOWN)) {
            return new byte[0];
        }
        if (vocab.has(id, TokenAttributes.USER_DEFINED)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (vocab.has(id, TokenAttributes.NORMAL)) {
            return vocab.type == VocabType.BPE ? ByteLevel.decode(text)
                    : text.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
        }
        if (vocab.has(id, TokenAttributes.BYTE) && text.length() == 6 && text.startsWith("<0x")) {
            return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
        }
        return new byte[0];     // unused and undefined tokens are never shown
    }

    /** Java strings may hold unpaired surrogates, which have no UTF-8: they become U+FFFD. */
    private static String withoutLoneSurrogates(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isSurrogate(text.charAt(i))) {
                return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
            }
        }
        return text;
    }
}
