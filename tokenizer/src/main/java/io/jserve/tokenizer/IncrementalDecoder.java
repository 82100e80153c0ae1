package io.jserve.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Turns generated token ids into text as they arrive (one instance per request, not thread-safe).
 * A token may end inside a multi-byte UTF-8 character (byte-fallback and byte-level tokens often
 * do), so the bytes of an unfinished character are held back until the token that completes it:
 * every returned string holds only whole characters, and no character is split across two returns.
 * Bytes that can never form a character come out as U+FFFD.
 */
public final class IncrementalDecoder {
    private final Tokenizer tokenizer;
    /** Bytes of a character that is not complete yet: at most 3. */
    private byte[] pending = new byte[0];

    public IncrementalDecoder(Tokenizer tokenizer) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
    }

    /** Adds one token; returns the text it completes (possibly empty). */
    public String add(int tokenId) {
        byte[] bytes = tokenizer.tokenBytes(tokenId);
        if (bytes.length == 0) {
            return "";
        }
        byte[] all = Arrays.copyOf(pending, pending.length + bytes.length);
        System.arraycopy(bytes, 0, all, pending.length, bytes.length);
        int complete = completePrefix(all);
        pending = Arrays.copyOfRange(all, complete, all.length);
        return new String(all, 0, complete, StandardCharsets.UTF_8);
    }

    /** Ends the stream: held-back bytes of an unfinished character become U+FFFD. */
    public String flush() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return rest;
    }

    /**
     * The length of the longest prefix that does not end inside a character that could still be
     * completed. Only the last three bytes can belong to such a character.
     */
    static int completePrefix(byte[] b) {
        for (int k = 1; k <= Math.min(3, b.length); k++) {
            int lead = b[b.length - k] & 0xFF;
            if ((lead & 0xC0) == 0x80) {
                continue;                       // a continuation byte: look further back
            }
            int need = lead >= 0xF0 && lead <= 0xF4 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 && lead < 0xE0 ? 2 : 1;
            boolean incomplete = need > k && (k == 1 || validSecondByte(lead, b[b.length - k + 1] & 0xFF));
            return incomplete ? b.length - k : b.length;
        }
        return b.length;
    }

    /** UTF-8's limits on the byte after a lead byte (no overlongs, no surrogates, ≤ U+10FFFF). */
    private static boolean validSecondByte(int lead, int second) {
        return switch (lead) {
            case 0xE0 -> second >= 0xA0 && second <= 0xBF;
            case 0xED -> second >= 0x80 && second <= 0x9F;
            case 0xF0 -> second >= 0x90 && second <= 0xBF;
            case 0xF4 -> second >= 0x80 && second <= 0x8F;
            default -> (second & 0xC0) == 0x80;
        };
    }
}
