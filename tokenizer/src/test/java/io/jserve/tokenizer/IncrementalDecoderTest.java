package io.jserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jserve.tokenizer.TinyVocabularies.BYTE_BASE;
import static io.jserve.tokenizer.TinyVocabularies.SPACE;
import static io.jserve.tokenizer.TinyVocabularies.SPACE_A;
import static org.junit.jupiter.api.Assertions.assertEquals;

class IncrementalDecoderTest {
    private final Tokenizer tokenizer = Tokenizers.fromGgufMetadata(TinyVocabularies.spm());

    private static List<String> feed(IncrementalDecoder d, int... ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) {
            out.add(d.add(id));
        }
        return out;
    }

    @Test
    void holdsAnEmojiSplitOverByteTokensUntilItIsComplete() {
        IncrementalDecoder d = new IncrementalDecoder(tokenizer);
        assertEquals(List.of(" a", " ", "", "", "", "\uD83D\uDE00"),
                feed(d, SPACE_A, SPACE, BYTE_BASE + 0xF0, BYTE_BASE + 0x9F, BYTE_BASE + 0x98, BYTE_BASE + 0x80));
        assertEquals("", d.flush());
    }

    @Test
    void releasesTextBeforeAnUnfinishedCharacterInTheSameToken() {
        IncrementalDecoder d = new IncrementalDecoder(tokenizer);
        // "é" is C3 A9: the first byte arrives with nothing complete after it
        assertEquals(List.of("", "\u00E9", " a"), feed(d, BYTE_BASE + 0xC3, BYTE_BASE + 0xA9, SPACE_A));
    }

    @Test
    void flushTurnsAnUnfinishedCharacterIntoOneReplacementChar() {
        IncrementalDecoder d = new IncrementalDecoder(tokenizer);
        assertEquals(List.of("", ""), feed(d, BYTE_BASE + 0xF0, BYTE_BASE + 0x9F));
        assertEquals("\uFFFD", d.flush());
        assertEquals("", d.flush());
    }

    @Test
    void bytesThatCanNeverFormACharacterComeOutAtOnce() {
        IncrementalDecoder d = new IncrementalDecoder(tokenizer);
        // a lone continuation byte, then a lead byte followed by a non-continuation byte
        assertEquals(List.of("\uFFFD", "", "\uFFFDa"), feed(d, BYTE_BASE + 0x80, BYTE_BASE + 0xE2, BYTE_BASE + 'a'));
    }

    @Test
    void controlTokensProduceNothing() {
        IncrementalDecoder d = new IncrementalDecoder(tokenizer);
        assertEquals(List.of("", " a", ""), feed(d, 1, SPACE_A, 2));
    }

    @Test
    void completePrefixLooksAtMostThreeBytesBack() {
        assertEquals(0, IncrementalDecoder.completePrefix(new byte[] {(byte) 0xE2, (byte) 0x82}));
        assertEquals(3, IncrementalDecoder.completePrefix(new byte[] {(byte) 0xE2, (byte) 0x82, (byte) 0xAC}));
        assertEquals(1, IncrementalDecoder.completePrefix(new byte[] {'x', (byte) 0xF0, (byte) 0x9F, (byte) 0x98}));
        // ED A0 would start a surrogate, which UTF-8 forbids: nothing to wait for
        assertEquals(2, IncrementalDecoder.completePrefix(new byte[] {(byte) 0xED, (byte) 0xA0}));
    }
}
