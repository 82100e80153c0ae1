package io.jserve.tests.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jserve.tests.SharedModels;
import io.jserve.tokenizer.Tokenizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Rendered chat prompts tokenized with special-token parsing (add_special=false, parse_special=true)
 * must give llama.cpp's ids ({@code llama_cpp_tokens} in the template cases): control tokens such as
 * {@code <|im_start|>} become single ids, and Phi-3's special tokens eat the white space after them.
 */
class TemplateTokenIdsTest {

    @ParameterizedTest
    @CsvSource({"llama-3-instruct, llama-bpe", "qwen3, qwen2", "phi-3, phi-3"})
    void renderedPromptsTokenizeAsInLlamaCpp(String family, String vocab) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode doc = json.readTree(SharedModels.file("templates/" + family + ".json").toFile());
        Tokenizer tokenizer = VocabVectors.tokenizer(vocab);
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (JsonNode c : doc.get("cases")) {
            if (!c.has("llama_cpp_tokens")) {
                continue;
            }
            checked++;
            int[] expected = json.convertValue(c.get("llama_cpp_tokens").get("ids"), int[].class);
            int[] actual = tokenizer.encode(c.get("expected").asText(), false, true);
            if (!Arrays.equals(expected, actual)) {
                failures.add(c.get("name").asText() + "\n  expected " + Arrays.toString(expected)
                        + "\n  actual   " + Arrays.toString(actual));
            }
        }
        assertEquals(12, checked, family + ": cases with llama.cpp ids");
        assertEquals("", String.join("\n", failures), family);
    }
}
