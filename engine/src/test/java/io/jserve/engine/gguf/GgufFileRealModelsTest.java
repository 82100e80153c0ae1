package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact header values of the real small models in shared/models, as their README documents them. */
class GgufFileRealModelsTest {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Test
    void stories260kHeaderMetadataAndTensors() {
        try (GgufFile g = GgufFile.open(SharedModels.file("stories260K.gguf"))) {
            assertEquals(3, g.version());
            assertEquals(32, g.alignment());
            assertEquals(14176, g.dataOffset());
            assertEquals(19, g.metadata().size());
            assertEquals(48, g.tensors().size());
            assertEquals("llama", g.string("general.architecture").orElseThrow());
            assertEquals(OptionalLong.of(64), g.integer("llama.embedding_length"));
            assertEquals(OptionalLong.of(5), g.integer("llama.block_count"));
            assertEquals(OptionalLong.of(172), g.integer("llama.feed_forward_length"));
            assertEquals(OptionalLong.of(8), g.integer("llama.attention.head_count"));
            assertEquals(OptionalLong.of(4), g.integer("llama.attention.head_count_kv"));
            assertEquals(OptionalLong.of(2048), g.integer("llama.context_length"));
            assertEquals(1e-5f, g.float32("llama.attention.layer_norm_rms_epsilon").orElseThrow());
            assertEquals(OptionalLong.of(0xFFFF_FFFFL), g.integer("tokenizer.ggml.seperator_token_id"));
            assertEquals(OptionalLong.empty(), g.integer("llama.rope.freq_base"));
            assertEquals(GgufValueType.UINT32, g.valueType("llama.block_count").orElseThrow());
            List<String> tokens = g.strings("tokenizer.ggml.tokens").orElseThrow();
            assertEquals(512, tokens.size());
            assertEquals(List.of("<unk>", "<s>", "</s>", "<0x00>"), tokens.subList(0, 4));
            assertEquals("<0xFF>", tokens.get(258));
            int[] types = g.ints("tokenizer.ggml.token_type").orElseThrow();
            assertArrayEquals(new int[] {2, 3, 3, 6}, java.util.Arrays.copyOf(types, 4));
            assertEquals(512, g.floats("tokenizer.ggml.scores").orElseThrow().length);

            assertTensor(g, "token_embd.weight", GgmlType.F32, new long[] {64, 512}, 0);
            assertTensor(g, "output_norm.weight", GgmlType.F32, new long[] {64}, 131072);
            assertTensor(g, "blk.0.attn_k.weight", GgmlType.F32, new long[] {64, 32}, 278784);
            assertTensor(g, "blk.4.ffn_down.weight", GgmlType.F32, new long[] {172, 64}, -1);
            WeightView k = g.weight("blk.0.attn_k.weight");
            assertEquals(32, k.rows());
            assertEquals(64, k.cols());
            assertEquals(8192, k.data().byteSize());
            WeightView norm = g.weight("output_norm.weight");
            assertEquals(1, norm.rows());
            assertEquals(64, norm.cols());
            // output.weight is a separate copy of token_embd in this file: same bytes
            assertEquals(-1, g.weight("token_embd.weight").data().mismatch(g.weight("output.weight").data()));
        }
    }

    @Test
    void tinyStoriesQ8HasTiedEmbeddingsAndQ8Matrices() {
        try (GgufFile g = GgufFile.open(SharedModels.file("tinystories-656k/TinyStories-656K-Q8_0.gguf"))) {
            assertEquals(3, g.version());
            assertEquals(34, g.metadata().size());
            assertEquals(20, g.tensors().size());
            assertEquals(50848, g.dataOffset());
            assertEquals(OptionalLong.of(128), g.integer("llama.embedding_length"));
            assertEquals(OptionalLong.of(2), g.integer("llama.block_count"));
            assertEquals(OptionalLong.of(16), g.integer("llama.rope.dimension_count"));
            assertEquals(OptionalLong.of(7), g.integer("general.file_type"));
            assertEquals(10000f, g.float32("llama.rope.freq_base").orElseThrow());
            assertEquals(1e-6f, g.float32("llama.attention.layer_norm_rms_epsilon").orElseThrow());
            assertEquals("default", g.string("tokenizer.ggml.pre").orElseThrow());
            assertEquals(true, g.bool("tokenizer.ggml.add_bos_token").orElseThrow());
            assertEquals(false, g.bool("tokenizer.ggml.add_eos_token").orElseThrow());
            assertEquals(List.of("en"), g.strings("general.languages").orElseThrow());
            assertEquals("<|start_story|>", g.strings("tokenizer.ggml.tokens").orElseThrow().get(1));
            assertTrue(g.tensor("output.weight").isEmpty());
            long q8 = g.tensors().stream().filter(t -> t.type() == GgmlType.Q8_0).count();
            long f32 = g.tensors().stream().filter(t -> t.type() == GgmlType.F32).count();
            assertEquals(15, q8);
            assertEquals(5, f32);
            assertTensor(g, "token_embd.weight", GgmlType.Q8_0, new long[] {128, 2048}, 512);
            WeightView embd = g.weight("token_embd.weight");
            assertEquals(2048, embd.rows());
            assertEquals(128L / 32 * 34, embd.rowBytes());
            assertEquals(278528, embd.data().byteSize());
        }
    }

    @Test
    void randomLlamaHasF16MatricesAndA32kVocab() {
        try (GgufFile g = GgufFile.open(SharedModels.file("random/llama-2-tiny-random.gguf"))) {
            assertEquals(18, g.metadata().size());
            assertEquals(12, g.tensors().size());
            assertEquals(OptionalLong.of(1), g.integer("general.file_type"));
            assertEquals(32000, g.strings("tokenizer.ggml.tokens").orElseThrow().size());
            assertTensor(g, "token_embd.weight", GgmlType.F16, new long[] {8, 32000}, 0);
            assertTensor(g, "blk.0.ffn_down.weight", GgmlType.F16, new long[] {32, 8}, 513536);
            assertTensor(g, "output_norm.weight", GgmlType.F32, new long[] {8}, 514112);
        }
    }

    @Test
    void normWeightsReadAsLittleEndianFloatsFromTheMapping() {
        try (GgufFile g = GgufFile.open(SharedModels.file("stories260K.gguf"))) {
            WeightView w = g.weight("output_norm.weight");
            float first = w.data().get(F32_LE, 0);
            assertTrue(Float.isFinite(first) && first != 0f, "output_norm[0] = " + first);
            assertTrue(w.data().isMapped(), "weights are slices of the file mapping");
        }
    }

    @Test
    void llamaBpeVocabOpensFast() {
        var path = SharedModels.file("vocab/ggml-vocab-llama-bpe.gguf");
        GgufFile.open(path).close(); // warm up class loading and the page cache
        long t0 = System.nanoTime();
        try (GgufFile g = GgufFile.open(path)) {
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(128256, g.strings("tokenizer.ggml.tokens").orElseThrow().size());
            assertEquals(280147, g.strings("tokenizer.ggml.merges").orElseThrow().size());
            assertEquals(0, g.tensors().size());
            assertTrue(ms < 1000, "opening the llama-bpe vocab took " + ms + " ms");
        }
    }

    @Test
    void wrongTypeAccessNamesKeyExpectedAndActual() {
        try (GgufFile g = GgufFile.open(SharedModels.file("stories260K.gguf"))) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> g.string("llama.block_count"));
            assertTrue(e.getMessage().contains("llama.block_count") && e.getMessage().contains("STRING")
                    && e.getMessage().contains("UINT32"), e.getMessage());
            GgufFormatException e2 = assertThrows(GgufFormatException.class, () -> g.ints("tokenizer.ggml.tokens"));
            assertTrue(e2.getMessage().contains("an array of STRING"), e2.getMessage());
            assertThrows(GgufFormatException.class, () -> g.strings("tokenizer.ggml.scores"));
            assertThrows(GgufFormatException.class, () -> g.integer("general.name"));
            assertThrows(GgufFormatException.class, () -> g.bool("general.name"));
            assertThrows(GgufFormatException.class, () -> g.floats("tokenizer.ggml.token_type"));
            GgufFormatException missing = assertThrows(GgufFormatException.class, () -> g.weight("nope.weight"));
            assertTrue(missing.getMessage().contains("nope.weight"), missing.getMessage());
        }
    }

    @Test
    void closeUnmapsTheWeights() {
        GgufFile g = GgufFile.open(SharedModels.file("stories260K.gguf"));
        WeightView w = g.weight("output_norm.weight");
        g.close();
        g.close(); // idempotent
        assertFalse(w.data().scope().isAlive());
        assertThrows(IllegalStateException.class, () -> w.data().get(F32_LE, 0));
    }

    private static void assertTensor(GgufFile g, String name, GgmlType type, long[] dims, long offset) {
        GgufTensorInfo t = g.tensor(name).orElseThrow(() -> new AssertionError("no tensor " + name));
        assertEquals(type, t.type(), name);
        assertArrayEquals(dims, t.dims(), name);
        if (offset >= 0) {
            assertEquals(offset, t.offset(), name);
        }
    }
}
