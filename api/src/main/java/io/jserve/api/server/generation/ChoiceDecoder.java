package io.jserve.api.server.generation;

import io.jserve.tokenizer.IncrementalDecoder;
import io.jserve.tokenizer.StopStringMatcher;
import io.jserve.tokenizer.Tokenizer;

import java.util.List;

/**
 * Turns one choice's token ids into the text the client sees: complete UTF-8 characters only (the tokenizer's
 * {@link IncrementalDecoder}), cut before the first stop string, which never shows even in part
 * ({@link StopStringMatcher}).
 */
public final class ChoiceDecoder {
    private final IncrementalDecoder decoder;
    private final StopStringMatcher stops;
    private int emittedChars;

    public ChoiceDecoder(Tokenizer tokenizer, List<String> stopStrings) {
        this.decoder = new IncrementalDecoder(tokenizer);
        this.stops = new StopStringMatcher(stopStrings);
    }

    /** The text a new token adds; empty while bytes or a possible stop string are held back, or after a stop. */
    public String accept(int tokenId) {
        if (stops.stopped()) {
            return "";
        }
        return count(stops.accept(decoder.add(tokenId)).text());
    }

    /** Whether a stop string ended the text. */
    public boolean stopped() {
        return stops.stopped();
    }

    /** At the end: everything held back (an incomplete UTF-8 tail becomes U+FFFD); empty after a stop. */
    public String finish() {
        if (stops.stopped()) {
            return "";
        }
        String tail = stops.accept(decoder.flush()).text();
        return count(tail + stops.flush());
    }

    /** Characters (UTF-16 units) emitted so far: the offset of the next piece of text. */
    public int emittedChars() {
        return emittedChars;
    }

    private String count(String text) {
        emittedChars += text.length();
        return text;
    }
}
