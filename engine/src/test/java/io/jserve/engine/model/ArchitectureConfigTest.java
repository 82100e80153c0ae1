package io.jserve.engine.model;

import io.jserve.engine.SharedModels;
import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.gguf.GgufTensorData;
import io.jserve.engine.gguf.GgufWriter;
import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.reference.ReferenceBackend;
import io.jserve.kernels.host.HostWeight;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@link ModelConfig} and {@link ModelWeights} make of each reference architecture's file. */
class ArchitectureConfigTest {
    @TempDir
    Path dir;

    private static ModelConfig config(String arch) {
        try (GgufFile g = GgufFile.open(SharedModels.file("reference/arch-" + arch + ".gguf"))) {
            return ModelConfig.from(g);
        }
    }

    @Test
    void llamaIsPlain() {
        ModelConfig c = config("llama");
        assertEquals(ArchitectureFeatures.llama(8), c.features());
        assertEquals(RopeScaling.Type.NONE, c.ropeScaling().type());
        assertEquals(new RopeConfig(8, 10000f, 1f, false), c.rope(2));
        assertEquals(new AttentionConfig(8, 2, 8, (float) (1 / Math.sqrt(8))), c.attention(0));
        assertEquals(256, c.contextLength());
    }

    @Test
    void qwen3HasWiderHeadsThanTheEmbeddingPerHead() {
        ModelConfig c = config("qwen3");
        assertEquals(32, c.headDim());
        assertEquals(128, c.qDim());
        assertEquals(64, c.kvDim());
        assertTrue(c.ropeNeox());
        assertEquals(new RopeConfig(32, 1e6f, 1f, true), c.rope());
    }

    /** Gemma-2: layers 0 and 2 slide (period 2), soft-caps from the file, embeddings times sqrt(64). */
    @Test
    void gemma2() {
        ModelConfig c = config("gemma2");
        ArchitectureFeatures f = c.features();
        assertEquals(new ArchitectureFeatures(8f, FfnActivation.GELU, 0.25f, 5f, 50f, 8, 2, 0f), f);
        int[] windows = new int[4];
        for (int l = 0; l < 4; l++) {
            AttentionConfig a = c.attention(l);
            assertEquals(5f, a.softcap());
            windows[l] = a.slidingWindow();
            assertEquals(new RopeConfig(16, 10000f, 1f, true), c.rope(l));
        }
        org.junit.jupiter.api.Assertions.assertArrayEquals(new int[] {8, 0, 8, 0}, windows);
    }

    /** Gemma-3: layers 0-4 slide with RoPE base 10000, layer 5 is global with the file's 1e6. */
    @Test
    void gemma3() {
        ModelConfig c = config("gemma3");
        assertEquals(new ArchitectureFeatures(8f, FfnActivation.GELU, 0.25f, 0f, 0f, 8, 6, 10000f), c.features());
        for (int l = 0; l < 5; l++) {
            assertEquals(8, c.attention(l).slidingWindow());
            assertEquals(new RopeConfig(16, 10000f, 1f, true), c.rope(l));
        }
        assertEquals(0, c.attention(5).slidingWindow());
        assertEquals(new RopeConfig(16, 1e6f, 1f, true), c.rope(5));
    }

    /** The 27B Gemmas scale queries by dim / heads (llama.cpp), told apart by their layer count. */
    @Test
    void gemma27bQueryScale() throws IOException {
        Path p = dir.resolve("g.gguf");
        header("gemma2", 46).putUint32("gemma2.attention.key_length", 128).write(p);
        try (GgufFile g = GgufFile.open(p)) {
            ModelConfig c = ModelConfig.from(g);
            assertEquals((float) (1 / Math.sqrt(4608 / 32)), c.features().attentionScale());
            assertEquals(4096, c.features().slidingWindow()); // llama.cpp's default for Gemma-2
            assertEquals(30f, c.features().finalSoftcap());
        }
    }

    /** Phi-3's fused attn_qkv and gate/up tensors become row ranges of the mapped tensor. */
    @Test
    void phi3FusedTensorsAreSplitByRows() {
        try (GgufFile g = GgufFile.open(SharedModels.file("reference/arch-phi3.gguf"));
             ReferenceBackend b = new ReferenceBackend()) {
            ModelConfig c = ModelConfig.from(g);
            LayerWeights l = ModelWeights.load(g, c, b, i -> { }).layers().get(1);
            var qkv = g.weight("blk.1.attn_qkv.weight");
            long row = qkv.rowBytes();
            assertEquals(64, l.wq().rows());
            assertEquals(32, l.wk().rows());
            assertEquals(32, l.wv().rows());
            assertEquals(qkv.data().address() + 64 * row, ((HostWeight) l.wk()).data().address());
            assertEquals(qkv.data().address() + 96 * row, ((HostWeight) l.wv()).data().address());
            var gateUp = g.weight("blk.1.ffn_up.weight");
            assertEquals(gateUp.data().address(), ((HostWeight) l.ffnGate()).data().address());
            assertEquals(gateUp.data().address() + 192 * gateUp.rowBytes(), ((HostWeight) l.ffnUp()).data().address());
            assertEquals(192, l.ffnUp().rows());
            assertNull(l.qBias());
        }
    }

    @Test
    void optionalTensorsAreFound() {
        try (GgufFile q2 = GgufFile.open(SharedModels.file("reference/arch-qwen2.gguf"));
             GgufFile g3 = GgufFile.open(SharedModels.file("reference/arch-gemma3.gguf"));
             ReferenceBackend b = new ReferenceBackend()) {
            LayerWeights qwen = ModelWeights.load(q2, ModelConfig.from(q2), b, i -> { }).layers().get(0);
            assertEquals(64, qwen.qBias().cols());
            assertEquals(32, qwen.vBias().cols());
            assertNull(qwen.qNorm());
            assertNull(qwen.postAttnNorm());
            ModelWeights gemma = ModelWeights.load(g3, ModelConfig.from(g3), b, i -> { });
            LayerWeights l = gemma.layers().get(0);
            assertEquals(16, l.qNorm().cols());
            assertEquals(64, l.postFfnNorm().cols());
            assertTrue(gemma.output() == gemma.tokenEmbedding(), "tied output");
        }
    }

    @Test
    void unsupportedArchitectureFailsWithItsName() throws IOException {
        Path p = dir.resolve("bert.gguf");
        header("bert", 2).write(p);
        try (GgufFile g = GgufFile.open(p)) {
            var e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.from(g));
            assertTrue(e.getMessage().contains("architecture 'bert' is not supported"), e.getMessage());
        }
    }

    /** A weight type with no decoder (Q8_1 is a ggml activation type) fails at load, naming tensor and type. */
    @Test
    void unsupportedWeightTypeFailsNamingTheTensor() throws IOException {
        Path p = dir.resolve("q8_1.gguf");
        GgufWriter w = header("llama", 1);
        byte[] bytes = new byte[Math.toIntExact(GgmlType.Q8_1.bytesFor(4608L * 256))];
        w.addTensor("token_embd.weight", GgmlType.Q8_1, new long[] {4608, 256},
                GgufTensorData.of(java.lang.foreign.MemorySegment.ofArray(bytes)));
        w.write(p);
        try (GgufFile g = GgufFile.open(p); ReferenceBackend b = new ReferenceBackend()) {
            ModelConfig c = ModelConfig.from(g);
            var e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(g, c, b, i -> { }));
            assertTrue(e.getMessage().contains("tensor token_embd.weight has type Q8_1, which is not supported"),
                    e.getMessage());
        }
    }

    /** The metadata of a model of {@code layers} blocks at Gemma-2 27B's width, vocabulary 256. */
    static GgufWriter header(String arch, int layers) {
        return new GgufWriter().putString("general.architecture", arch)
                .putUint32(arch + ".embedding_length", 4608).putUint32(arch + ".block_count", layers)
                .putUint32(arch + ".feed_forward_length", 256).putUint32(arch + ".attention.head_count", 32)
                .putUint32(arch + ".attention.head_count_kv", 16).putUint32(arch + ".context_length", 4096)
                .putUint32(arch + ".vocab_size", 256);
    }

    @Test
    void plainConfigConstructorKeepsLlamaDefaults() {
        ModelConfig c = new ModelConfig("llama", 64, 1, 128, 4, 2, 16, 16, 10000f, false, 1e-5f, 128, 32);
        assertEquals(RopeScaling.NONE, c.ropeScaling());
        assertFalse(c.features().isSliding(0));
        assertEquals(1f, c.features().embeddingScale());
    }
}
