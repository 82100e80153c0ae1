package io.jserve.tests.tokenizer;

import io.jserve.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every case of llama.cpp's tokenizer test vectors, for every vocabulary that has them: our ids must
 * equal llama.cpp's, and decoding them must give back the input.
 */
class TokenizerVectorsTest {

    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt",
            "starcoder", "refact", "llama-bpe", "qwen2", "bert-bge"})
    void encodesEveryVectorAsLlamaCpp(String name) {
        VocabVectors vectors = VocabVectors.load(name);
        Tokenizer tokenizer = VocabVectors.tokenizer(name);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < vectors.inputs().size(); i++) {
            int[] actual = tokenizer.encode(vectors.inputs().get(i), false, false);
            if (!Arrays.equals(vectors.expected().get(i), actual)) {
                failures.add("#" + i + " " + quote(vectors.inputs().get(i)) + "\n  expected "
                        + Arrays.toString(vectors.expected().get(i)) + "\n  actual   " + Arrays.toString(actual));
            }
        }
        System.out.printf("%s: %d/%d vectors pass%n", name, vectors.inputs().size() - failures.size(),
                vectors.inputs().size());
        assertEquals(46, vectors.inputs().size(), name + ": vector count");
        assertEquals("", String.join("\n", failures), name + ": " + failures.size() + " vectors differ");
    }

    /** Byte-level BPE and SentencePiece with byte fallback are lossless; WordPiece lower-cases. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-spm", "phi-3", "gpt-2", "deepseek-coder", "deepseek-llm", "falcon", "mpt",
            "starcoder", "refact", "llama-bpe", "qwen2"})
    void decodingTheIdsGivesBackTheInput(String name) {
        VocabVectors vectors = VocabVectors.load(name);
        Tokenizer tokenizer = VocabVectors.tokenizer(name);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < vectors.inputs().size(); i++) {
            String input = vectors.inputs().get(i);
            String decoded = tokenizer.decode(vectors.expected().get(i));
            if (!input.equals(decoded)) {
                failures.add("#" + i + " " + quote(input) + " decoded as " + quote(decoded));
            }
        }
        assertEquals("", String.join("\n", failures), name + ": " + failures.size() + " inputs do not round-trip");
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }
}
