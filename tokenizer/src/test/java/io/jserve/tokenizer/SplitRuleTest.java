package io.jserve.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SplitRuleTest {

    @Test
    void gpt2LeavesTheLastSpaceToTheNextWord() {
        assertEquals(List.of("Hello", " ", " world", " 123", " '", "ll", "!!", "it", "'s"),
                new PreTokenizer(List.of(SplitRule.GPT2)).split("Hello  world 123 'll!!it's"));
        assertEquals(List.of("a", "  "), new PreTokenizer(List.of(SplitRule.GPT2)).split("a  "));
    }

    @Test
    void llama3GroupsDigitsByThreeAndKeepsLineBreaksTogether() {
        assertEquals(List.of("123", "45", " abc", "\n\n", " ", " x", "'RE"),
                new PreTokenizer(List.of(SplitRule.LLAMA3)).split("12345 abc\n\n  x'RE"));
    }

    @Test
    void categoryRegexesRunOnCollapsedText() {
        assertEquals("[\\x{D1}0-9]+", RegexSplitRule.collapse("\\p{N}+"));
        assertEquals("[^\\s\\x{D2}A-Za-z]", RegexSplitRule.collapse("[^\\s\\p{L}]"));
        // digits one by one (starcoder), with non-ASCII digits collapsed to the same class
        assertEquals(List.of("1", "2", "\u0663", "x"), new PreTokenizer(List.of("\\p{N}")).split("12\u0663x"));
    }

    @Test
    void unmatchedTextStaysAsItsOwnPiece() {
        assertEquals(List.of("ab", "\n", "\n", "cd"), new PreTokenizer(List.of("[\r\n]")).split("ab\n\ncd"));
    }
}
