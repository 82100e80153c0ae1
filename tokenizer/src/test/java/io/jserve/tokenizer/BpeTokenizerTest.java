package io.jserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpeTokenizerTest {

    @Test
    void mergesByRankWithinEachPreTokenizedWord() {
        Tokenizer t = Tokenizers.fromGgufMetadata(TinyVocabularies.bpe("gpt-2"));
        // words "ab" and " abc": a+b (rank 0), then Ġ+ab (rank 1) wins over ab+c (rank 2)
        assertArrayEquals(new int[] {4, 5, 2}, t.encode("ab abc", false, false));
        assertArrayEquals(new int[] {6}, t.encode("abc", false, false));
        assertEquals("ab abc", t.decode(new int[] {4, 5, 2}));
    }

    @Test
    void addsNoBosAndParsesControlTokensOnlyWhenAsked() {
        Tokenizer t = Tokenizers.fromGgufMetadata(TinyVocabularies.bpe("gpt-2"));
        assertFalse(t.addBos());
        assertEquals(-1, t.bosId());   // llama.cpp's default 11 is outside this vocabulary
        assertArrayEquals(new int[] {4, 7, 0}, t.encode("ab<|endoftext|>a", true, true));
        assertEquals(Set.of(7), t.eosIds());
        assertArrayEquals(new byte[0], t.tokenBytes(7));
        assertArrayEquals(new byte[] {' ', 'a', 'b'}, t.tokenBytes(5));
    }

    @Test
    void addBosKeyOverridesTheDefault() {
        Map<String, Object> md = TinyVocabularies.bpe("gpt-2");
        md.put("tokenizer.ggml.add_bos_token", true);
        md.put("tokenizer.ggml.bos_token_id", 7L);
        Tokenizer t = Tokenizers.fromGgufMetadata(md);
        assertTrue(t.addBos());
        assertArrayEquals(new int[] {7, 6}, t.encode("abc", true, false));
    }

    @Test
    void unknownPreTokenizerFallsBackToGpt2() {
        Tokenizer t = Tokenizers.fromGgufMetadata(TinyVocabularies.bpe("no-such-pre"));
        assertArrayEquals(new int[] {4, 5, 2}, t.encode("ab abc", false, false));
    }

    @Test
    void rejectsUnsupportedModelsAndMissingData() {
        Map<String, Object> md = TinyVocabularies.bpe("gpt-2");
        md.put("tokenizer.ggml.model", "t5");
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> Tokenizers.fromGgufMetadata(md));
        assertTrue(e.getMessage().contains("'t5'"), e.getMessage());

        Map<String, Object> noMerges = TinyVocabularies.bpe("gpt-2");
        noMerges.remove("tokenizer.ggml.merges");
        assertThrows(IllegalArgumentException.class, () -> Tokenizers.fromGgufMetadata(noMerges));

        Map<String, Object> wrongShape = TinyVocabularies.bpe("gpt-2");
        wrongShape.put("tokenizer.ggml.token_type", "1,1");
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> Tokenizers.fromGgufMetadata(wrongShape));
        assertEquals("GGUF metadata 'tokenizer.ggml.token_type' must be an int32 array, found String",
                shape.getMessage());
    }
}
