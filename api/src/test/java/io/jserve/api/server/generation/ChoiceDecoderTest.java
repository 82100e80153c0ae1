package io.jserve.api.server.generation;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.tokenizer.Tokenizer;
import io.jserve.tokenizer.Tokenizers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Decoding with stories260K's real vocabulary: byte tokens 3..258 stand for bytes 0x00..0xFF. */
class ChoiceDecoderTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() {
        Path model = Path.of(System.getProperty("jserve.sharedModels", "../../shared/models"), "stories260K.gguf");
        try (GgufFile file = GgufFile.open(model)) {
            tokenizer = Tokenizers.fromGgufMetadata(file.metadata());
        }
    }

    private static int byteToken(int b) {
        return 3 + b;
    }

    @Test
    void neverCutsInsideAUtf8Character() {
        ChoiceDecoder decoder = new ChoiceDecoder(tokenizer, List.of());
        assertEquals("", decoder.accept(byteToken(0xC3)));
        assertEquals("é", decoder.accept(byteToken(0xA9)));
        assertEquals("", decoder.accept(byteToken(0xF0)));
        assertEquals("", decoder.accept(byteToken(0x9F)));
        assertEquals("", decoder.accept(byteToken(0x98)));
        assertEquals("😀", decoder.accept(byteToken(0x80)));
        assertEquals(3, decoder.emittedChars());
    }

    @Test
    void anIncompleteTailBecomesAReplacementCharacterAtTheEnd() {
        ChoiceDecoder decoder = new ChoiceDecoder(tokenizer, List.of());
        assertEquals("", decoder.accept(byteToken(0xE2)));
        assertEquals("\uFFFD", decoder.finish());
    }

    /** Feeds {@code text}'s tokens until a stop; returns what was shown. */
    private static String feed(ChoiceDecoder decoder, String text) {
        StringBuilder shown = new StringBuilder();
        for (int id : tokenizer.encode(text, false, false)) {
            shown.append(decoder.accept(id));
            if (decoder.stopped()) {
                break;
            }
        }
        return shown.toString();
    }

    @Test
    void aStopStringSplitAcrossTokensNeverShows() {
        String text = "Lily was a little girl named Lily. She loved to play.";
        for (int id : tokenizer.encode(text, false, false)) {
            assertFalse(new String(tokenizer.tokenBytes(id), java.nio.charset.StandardCharsets.UTF_8).contains("d L"),
                    "the stop string must span a token boundary");
        }
        ChoiceDecoder decoder = new ChoiceDecoder(tokenizer, List.of("med Lily"));
        // Generated tokens keep their SentencePiece space: "▁Lily" shows as " Lily".
        assertEquals(" Lily was a little girl na", feed(decoder, text));
        assertTrue(decoder.stopped());
        assertEquals("", decoder.finish());
    }

    @Test
    void heldBackTextThatIsNotAStopIsReleased() {
        ChoiceDecoder decoder = new ChoiceDecoder(tokenizer, List.of("named Lily"));
        assertEquals(" a girl ", feed(decoder, "a girl named Li"));
        assertEquals("named Li", decoder.finish());
        assertFalse(decoder.stopped());
    }

    @Test
    void aStopStringSplitInsideAMultiByteCharacterIsFound() {
        ChoiceDecoder decoder = new ChoiceDecoder(tokenizer, List.of("é"));
        assertEquals("", decoder.accept(byteToken(0xC3)));
        assertEquals("", decoder.accept(byteToken(0xA9)));
        assertTrue(decoder.stopped());
    }
}
