package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelsTest {
    @TempDir
    Path dir;

    @Test
    void tinyLlamaHasLlamaCppKeysAndLayout() throws IOException {
        Path p = SyntheticModels.writeTinyLlama(dir.resolve("tiny.gguf"));
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals("llama", g.string("general.architecture").orElseThrow());
            assertEquals(OptionalLong.of(64), g.integer("llama.embedding_length"));
            assertEquals(OptionalLong.of(4), g.integer("llama.block_count"));
            assertEquals(OptionalLong.of(172), g.integer("llama.feed_forward_length"));
            assertEquals(OptionalLong.of(8), g.integer("llama.attention.head_count"));
            assertEquals(OptionalLong.of(4), g.integer("llama.attention.head_count_kv"));
            assertEquals(OptionalLong.of(8), g.integer("llama.rope.dimension_count"));
            assertEquals(OptionalLong.of(512), g.integer("llama.context_length"));
            assertEquals(OptionalLong.of(0), g.integer("general.file_type"));
            assertEquals(1e-5f, g.float32("llama.attention.layer_norm_rms_epsilon").orElseThrow());
            assertEquals(10000f, g.float32("llama.rope.freq_base").orElseThrow());
            assertEquals(GgufValueType.UINT32, g.valueType("llama.block_count").orElseThrow());

            assertEquals("llama", g.string("tokenizer.ggml.model").orElseThrow());
            List<String> tokens = g.strings("tokenizer.ggml.tokens").orElseThrow();
            assertEquals(288, tokens.size());
            assertEquals(SyntheticVocab.MIN_SIZE, tokens.size());
            assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), tokens.subList(0, 4));
            assertEquals("<0xFF>", tokens.get(258));
            assertEquals("▁", tokens.get(259));
            assertEquals("▁the", tokens.get(268));
            int[] types = g.ints("tokenizer.ggml.token_type").orElseThrow();
            assertArrayEquals(new int[] {2, 3, 3, 6}, java.util.Arrays.copyOf(types, 4));
            assertEquals(6, types[258]);
            assertEquals(1, types[259]);
            float[] scores = g.floats("tokenizer.ggml.scores").orElseThrow();
            assertEquals(0f, scores[259]);
            assertEquals(-9f, scores[268]);
            assertEquals(OptionalLong.of(1), g.integer("tokenizer.ggml.bos_token_id"));
            assertEquals(OptionalLong.of(2), g.integer("tokenizer.ggml.eos_token_id"));
            assertEquals(OptionalLong.of(0), g.integer("tokenizer.ggml.unknown_token_id"));

            assertEquals(3 + 9 * 4, g.tensors().size());
            assertTrue(g.tensors().stream().allMatch(t -> t.type() == GgmlType.F32));
            assertShape(g, "token_embd.weight", 64, 288);
            assertShape(g, "output.weight", 64, 288);
            assertShape(g, "output_norm.weight", 64);
            assertShape(g, "blk.3.attn_q.weight", 64, 64);
            assertShape(g, "blk.3.attn_k.weight", 64, 32);
            assertShape(g, "blk.3.attn_v.weight", 64, 32);
            assertShape(g, "blk.3.attn_output.weight", 64, 64);
            assertShape(g, "blk.3.ffn_gate.weight", 64, 172);
            assertShape(g, "blk.3.ffn_up.weight", 64, 172);
            assertShape(g, "blk.3.ffn_down.weight", 172, 64);
            assertShape(g, "blk.0.attn_norm.weight", 64);
            assertShape(g, "blk.0.ffn_norm.weight", 64);

            WeightView norm = g.weight("blk.1.ffn_norm.weight");
            for (long i = 0; i < 64; i++) {
                assertEquals(1f, norm.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i));
            }
            WeightView q = g.weight("blk.0.attn_q.weight");
            float min = Float.MAX_VALUE;
            float max = -Float.MAX_VALUE;
            for (long i = 0; i < q.numValues(); i++) {
                float v = q.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(min >= -SyntheticModels.WEIGHT_RANGE && min < -0.04f, "min " + min);
            assertTrue(max < SyntheticModels.WEIGHT_RANGE && max > 0.04f, "max " + max);
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws IOException {
        LlamaShape small = new LlamaShape(32, 1, 4, 2, 48, SyntheticVocab.MIN_SIZE, 64, 10000f, 1e-5f, true);
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticModels.write(a, small, 1, "s");
        SyntheticModels.write(b, small, 1, "s");
        SyntheticModels.write(c, small, 2, "s");
        assertEquals(-1, Files.mismatch(a, b));
        assertNotEquals(-1, Files.mismatch(a, c));
        try (GgufFile g = GgufFile.open(a)) {
            assertTrue(g.tensor("output.weight").isEmpty(), "tied embeddings: no output.weight");
            assertEquals(2 + 9, g.tensors().size());
        }
    }

    @Test
    void shapeValidation() {
        assertThrows(IllegalArgumentException.class, () -> new LlamaShape(64, 1, 6, 2, 64, 300, 64, 1e4f, 1e-5f, false));
        assertThrows(IllegalArgumentException.class, () -> new LlamaShape(64, 1, 8, 3, 64, 300, 64, 1e4f, 1e-5f, false));
        assertThrows(IllegalArgumentException.class, () -> new LlamaShape(64, 0, 8, 4, 64, 300, 64, 1e4f, 1e-5f, false));
        assertThrows(IllegalArgumentException.class, () -> new LlamaShape(64, 1, 8, 4, 64, 300, 64, 0f, 1e-5f, false));
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> SyntheticVocab.put(w, SyntheticVocab.MIN_SIZE - 1));
    }

    private static void assertShape(GgufFile g, String name, long... dims) {
        assertArrayEquals(dims, g.tensor(name).orElseThrow(() -> new AssertionError("no " + name)).dims(), name);
    }
}
