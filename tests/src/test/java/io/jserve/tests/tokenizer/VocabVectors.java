package io.jserve.tests.tokenizer;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.tests.SharedModels;
import io.jserve.tokenizer.Tokenizer;
import io.jserve.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * llama.cpp's tokenizer test vectors ({@code tests/test-tokenizer-0.cpp} format): the {@code .inp} file
 * holds inputs each followed by {@code "\n__ggml_vocab_test__\n"}, the {@code .out} file one line of
 * expected ids per input (add_special=false, parse_special=false).
 *
 * @param name     the vocabulary, e.g. {@code llama-spm} for {@code vocab/ggml-vocab-llama-spm.gguf}
 * @param inputs   the test strings
 * @param expected the ids llama.cpp gives for each input
 */
record VocabVectors(String name, List<String> inputs, List<int[]> expected) {
    private static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    private static final Map<String, Tokenizer> TOKENIZERS = new ConcurrentHashMap<>();

    VocabVectors {
        if (inputs.size() != expected.size()) {
            throw new IllegalArgumentException(name + ": " + inputs.size() + " inputs but " + expected.size()
                    + " expected lines");
        }
    }

    static VocabVectors load(String name) {
        Path base = SharedModels.file("vocab/ggml-vocab-" + name + ".gguf");
        try {
            String inp = Files.readString(Path.of(base + ".inp"), StandardCharsets.UTF_8);
            List<String> inputs = new ArrayList<>();
            int pos = 0;
            for (int sep = inp.indexOf(SEPARATOR); sep >= 0; sep = inp.indexOf(SEPARATOR, pos)) {
                inputs.add(inp.substring(pos, sep));
                pos = sep + SEPARATOR.length();
            }
            List<int[]> expected = Files.readAllLines(Path.of(base + ".out"), StandardCharsets.UTF_8).stream()
                    .map(String::strip)
                    .map(line -> line.isEmpty() ? new int[0]
                            : Arrays.stream(line.split(" +")).mapToInt(Integer::parseInt).toArray())
                    .toList();
            return new VocabVectors(name, inputs, expected);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The tokenizer of {@code vocab/ggml-vocab-<name>.gguf}, loaded once per test run. */
    static Tokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name, n -> {
            try (GgufFile gguf = GgufFile.open(SharedModels.file("vocab/ggml-vocab-" + n + ".gguf"))) {
                return Tokenizers.fromGgufMetadata(gguf.metadata());
            }
        });
    }
}
