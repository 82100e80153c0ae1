package io.jserve.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jserve.engine.SharedModels;
import io.jserve.engine.gguf.GgufFile;
import io.jserve.tokenizer.Tokenizer;
import io.jserve.tokenizer.Tokenizers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The six synthetic architectures of {@code reference/arch-<name>.gguf} against llama.cpp's own greedy run of
 * "Once upon a time" ({@code arch-<name>.json}, F32 KV cache, no flash attention), on both host backends: the
 * prompt ids, all 24 free-running greedy ids exactly, and at every step the probabilities of llama.cpp's top 5
 * within 1e-3 (the README's rule; our GELU follows ggml's fp16 table, so it holds for Gemma too).
 */
class ArchGoldenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double TOLERANCE = 1e-3;

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
            "llama, cpu", "llama, reference",
            "qwen2, cpu", "qwen2, reference",
            "qwen3, cpu", "qwen3, reference",
            "phi3, cpu", "phi3, reference",
            "gemma2, cpu", "gemma2, reference",
            "gemma3, cpu", "gemma3, reference"})
    void greedyRunMatchesLlamaCpp(String arch, String backend) throws IOException {
        JsonNode ref = JSON.readTree(SharedModels.file("reference/arch-" + arch + ".json").toFile());
        var model = SharedModels.file("reference/arch-" + arch + ".gguf");
        int[] prompt = ints(ref.path("prompt_token_ids"));
        int[] expected = ints(ref.path("generated_token_ids"));
        assertEquals(24, expected.length);
        try (GgufFile gguf = GgufFile.open(model)) {
            Tokenizer tokenizer = Tokenizers.fromGgufMetadata(gguf.metadata());
            assertArrayEquals(prompt, tokenizer.encode(ref.path("prompt").asText(), true, false), "prompt ids");
        }
        try (GreedyHarness h = new GreedyHarness(model, backend, 64)) {
            float[][] logits = h.run(prompt, expected.length, null);
            int[] actual = new int[expected.length];
            for (int i = 0; i < actual.length; i++) {
                actual[i] = GreedyHarness.argmax(logits[i]);
            }
            assertArrayEquals(expected, actual, "greedy ids");
            for (int i = 0; i < expected.length; i++) {
                double[] p = GreedyHarness.softmax(logits[i]);
                for (JsonNode alt : ref.path("steps").get(i).path("top5")) {
                    int id = alt.path("id").asInt();
                    assertEquals(alt.path("prob").asDouble(), p[id], TOLERANCE, "step " + i + ", token " + id);
                }
            }
        }
    }

    /**
     * Sliding windows across chunk and block boundaries: the prompt and llama.cpp's 24 ids (31 positions, window
     * 8, blocks of 16) fed in chunks of 1, 5 and 31 tokens give the same logits for the last position, bit for bit
     * (the CPU backend is batch invariant).
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"gemma2", "gemma3", "qwen2"})
    void chunkedPrefillGivesTheSameBits(String arch) throws IOException {
        JsonNode ref = JSON.readTree(SharedModels.file("reference/arch-" + arch + ".json").toFile());
        int[] prompt = ints(ref.path("prompt_token_ids"));
        int[] generated = ints(ref.path("generated_token_ids"));
        int[] all = java.util.Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, all, prompt.length, generated.length);
        var model = SharedModels.file("reference/arch-" + arch + ".gguf");
        float[] whole;
        try (GreedyHarness h = new GreedyHarness(model, "cpu", 64)) {
            whole = h.prefillInChunks(all, all.length);
        }
        for (int chunk : new int[] {1, 5}) {
            try (GreedyHarness h = new GreedyHarness(model, "cpu", 64)) {
                assertArrayEquals(whole, h.prefillInChunks(all, chunk), "chunks of " + chunk);
            }
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }
}
