package io.jserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

import static io.jserve.tokenizer.TinyVocabularies.A;
import static io.jserve.tokenizer.TinyVocabularies.B;
import static io.jserve.tokenizer.TinyVocabularies.BA;
import static io.jserve.tokenizer.TinyVocabularies.BYTE_BASE;
import static io.jserve.tokenizer.TinyVocabularies.SPACE;
import static io.jserve.tokenizer.TinyVocabularies.SPACE_A;
import static io.jserve.tokenizer.TinyVocabularies.SPACE_AB;
import static io.jserve.tokenizer.TinyVocabularies.THINK;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpmTokenizerTest {
    private final Tokenizer tokenizer = Tokenizers.fromGgufMetadata(TinyVocabularies.spm());

    @Test
    void mergesTheHighestScoringPairFirst() {
        // "▁ab": "▁a" (-0.2) beats "ab" (-0.5), then "▁a"+"b" = "▁ab" (-0.1)
        assertArrayEquals(new int[] {SPACE_AB}, tokenizer.encode("ab", false, false));
        // "▁ba": no "▁b", so "ba" merges and "▁ba" is not a token
        assertArrayEquals(new int[] {SPACE, BA}, tokenizer.encode("ba", false, false));
        assertArrayEquals(new int[] {SPACE_A, SPACE, B}, tokenizer.encode("a b", false, false));
    }

    @Test
    void spellsUnknownCharactersAsUtf8ByteTokens() {
        assertArrayEquals(new int[] {SPACE, BYTE_BASE + 'c'}, tokenizer.encode("c", false, false));
        assertArrayEquals(new int[] {SPACE, BYTE_BASE + 0xF0, BYTE_BASE + 0x9F, BYTE_BASE + 0x98, BYTE_BASE + 0x80},
                tokenizer.encode("\uD83D\uDE00", false, false));
    }

    @Test
    void addsBosByDefaultAndNothingForEmptyText() {
        assertTrue(tokenizer.addBos());
        assertArrayEquals(new int[] {1, SPACE_AB}, tokenizer.encode("ab", true, false));
        assertArrayEquals(new int[] {1}, tokenizer.encode("", true, false));
        assertArrayEquals(new int[0], tokenizer.encode("", false, false));
    }

    @Test
    void controlTokenTextIsOnlyParsedWhenAsked() {
        assertArrayEquals(new int[] {SPACE_A, 2, SPACE, B}, tokenizer.encode("a</s>b", false, true));
        assertArrayEquals(new int[] {SPACE_A, BYTE_BASE + '<', BYTE_BASE + '/', BYTE_BASE + 's', BYTE_BASE + '>', B},
                tokenizer.encode("a</s>b", false, false));
    }

    @Test
    void userDefinedTokensAreAlwaysMatched() {
        assertArrayEquals(new int[] {SPACE_A, THINK, SPACE, B}, tokenizer.encode("a<think>b", false, false));
    }

    @Test
    void decodingDropsControlTokensAndThePrefixSpace() {
        assertEquals("a b", tokenizer.decode(new int[] {1, SPACE_A, 2, SPACE, B}));
        assertEquals("  a", tokenizer.decode(tokenizer.encode("  a", true, false)));
        assertEquals("\uD83D\uDE00 c", tokenizer.decode(tokenizer.encode("\uD83D\uDE00 c", false, false)));
        assertArrayEquals(new byte[0], tokenizer.tokenBytes(1));
        assertArrayEquals(new byte[] {(byte) 0xF0}, tokenizer.tokenBytes(BYTE_BASE + 0xF0));
        assertArrayEquals(new byte[] {' ', 'a'}, tokenizer.tokenBytes(SPACE_A));
        assertArrayEquals("<think>".getBytes(), tokenizer.tokenBytes(THINK));
    }

    @Test
    void exposesTheVocabulary() {
        assertEquals(267, tokenizer.vocabSize());
        assertEquals(1, tokenizer.bosId());
        assertEquals(Set.of(2), tokenizer.eosIds());
        assertEquals(OptionalInt.of(A), tokenizer.tokenId("a"));
        assertEquals(OptionalInt.empty(), tokenizer.tokenId("zz"));
        assertEquals("\u2581ab", tokenizer.piece(SPACE_AB));
        assertTrue(tokenizer.isSpecial(2));
        assertTrue(tokenizer.isSpecial(THINK));
        assertFalse(tokenizer.isSpecial(A));
        assertEquals(List.of(2), List.copyOf(tokenizer.eosIds()));
    }
}
