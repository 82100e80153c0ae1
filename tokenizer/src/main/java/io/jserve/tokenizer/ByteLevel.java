package io.jserve.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * GPT-2's reversible byte-to-unicode mapping: printable Latin-1 bytes map to themselves, the other
 * 68 bytes to U+0100 onwards (so a space becomes {@code Ġ}, a newline {@code Ċ}). Byte-level BPE
 * vocabularies store their tokens in this alphabet.
 */
final class ByteLevel {
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private ByteLevel() {
    }

    /** The UTF-8 bytes of {@code text}, each written as its stand-in char. */
    static String encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        char[] out = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
        }
        return new String(out);
    }

    /**
     * The bytes a byte-level token stands for. A code point outside the mapping (never in a
     * well-formed vocabulary) is kept as its own UTF-8 bytes.
     */
    static byte[] decode(String token) {
        byte[] fast = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[c] < 0) {
                return decodeWithUnmapped(token);
            }
            fast[i] = (byte) CHAR_TO_BYTE[c];
        }
        return fast;
    }

    private static byte[] decodeWithUnmapped(String token) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length());
        token.codePoints().forEach(cp -> {
            if (cp < CHAR_TO_BYTE.length && CHAR_TO_BYTE[cp] >= 0) {
                out.write(CHAR_TO_BYTE[cp]);
            } else {
                out.writeBytes(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8));
            }
        });
        return out.toByteArray();
    }
}
