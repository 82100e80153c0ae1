package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.gguf.GgufTensorInfo;
import io.jserve.engine.gguf.LlamaShape;
import io.jserve.engine.gguf.LlamaTensorSpec;
import io.jserve.engine.gguf.SyntheticVocab;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelWriterTest {
    private static final LlamaShape TINY = new LlamaShape(64, 2, 4, 2, 128, SyntheticVocab.MIN_SIZE, 128, 500000f,
            1e-5f, false);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F16", "BF16", "Q8_0", "Q4_0"})
    void tinyShapeOpensWithTheRightTensorsTypesAndSmallValues(GgmlType type) throws IOException {
        Path p = dir.resolve("tiny-" + type + ".gguf");
        SyntheticModelWriter.Result r = SyntheticModelWriter.write(p, "tiny", TINY, type, Optional.empty(), 7);
        assertEquals(Files.size(p), r.bytes());
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(OptionalLong.of(SyntheticModelWriter.fileType(type)), g.integer("general.file_type"));
            assertEquals(OptionalLong.of(64), g.integer("llama.embedding_length"));
            assertEquals(OptionalLong.of(2), g.integer("llama.block_count"));
            assertEquals(OptionalLong.of(SyntheticVocab.MIN_SIZE), g.integer("llama.vocab_size"));
            assertEquals(500000f, g.float32("llama.rope.freq_base").orElseThrow());
            assertEquals(SyntheticVocab.MIN_SIZE, g.strings("tokenizer.ggml.tokens").orElseThrow().size());
            List<LlamaTensorSpec> specs = TINY.tensors();
            assertEquals(3 + 9 * 2, specs.size());
            assertEquals(specs.stream().map(LlamaTensorSpec::name).toList(),
                    g.tensors().stream().map(GgufTensorInfo::name).toList());
            for (LlamaTensorSpec s : specs) {
                GgufTensorInfo t = g.tensor(s.name()).orElseThrow();
                assertArrayEquals(s.dims(), t.dims(), s.name());
                assertEquals(s.norm() ? GgmlType.F32 : type, t.type(), s.name());
                WeightView w = g.weight(s.name());
                if (s.norm()) {
                    assertEquals(1f, w.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, s.cols() - 1));
                } else {
                    assertSmallValues(w);
                }
            }
            assertArrayEquals(new long[] {128, 64}, g.tensor("blk.1.ffn_down.weight").orElseThrow().dims());
            assertArrayEquals(new long[] {64, 32}, g.tensor("blk.1.attn_k.weight").orElseThrow().dims());
        }
    }

    @Test
    void sameSeedGivesSameBytes() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticModelWriter.write(a, "t", TINY, GgmlType.Q8_0, Optional.empty(), 1);
        SyntheticModelWriter.write(b, "t", TINY, GgmlType.Q8_0, Optional.empty(), 1);
        SyntheticModelWriter.write(c, "t", TINY, GgmlType.Q8_0, Optional.empty(), 2);
        assertEquals(-1, Files.mismatch(a, b));
        assertNotEquals(-1, Files.mismatch(a, c));
    }

    @Test
    void vocabularyIsCopiedFromAVocabGguf() throws IOException {
        Path vocab = sharedModel("vocab/ggml-vocab-llama-spm.gguf");
        Path p = dir.resolve("spm.gguf");
        SyntheticModelWriter.write(p, "spm", TINY, GgmlType.Q4_0, Optional.of(vocab), 3);
        try (GgufFile src = GgufFile.open(vocab); GgufFile g = GgufFile.open(p)) {
            List<String> keys = src.metadata().keySet().stream().filter(k -> k.startsWith("tokenizer.")).toList();
            assertTrue(keys.size() >= 8, "keys " + keys);
            for (String k : keys) {
                assertEquals(src.valueType(k), g.valueType(k), k);
                assertEquals(src.arrayElementType(k), g.arrayElementType(k), k);
                assertTrue(sameValue(src.metadata().get(k), g.metadata().get(k)), k);
            }
            assertEquals(32000, g.strings("tokenizer.ggml.tokens").orElseThrow().size());
            assertEquals(OptionalLong.of(32000), g.integer("llama.vocab_size"));
            assertArrayEquals(new long[] {64, 32000}, g.tensor("token_embd.weight").orElseThrow().dims());
            assertArrayEquals(new long[] {64, 32000}, g.tensor("output.weight").orElseThrow().dims());
        }
    }

    @Test
    void presetsHaveTheRealParameterCounts() {
        assertEquals(1_100_048_384L, params(ModelPreset.byId("tinyllama-1.1b").shape()));
        assertEquals(1_235_814_400L, params(ModelPreset.byId("llama-3.2-1b").shape()));
        assertEquals(8_030_261_248L, params(ModelPreset.byId("llama-3-8b").shape()));
        assertTrue(ModelPreset.LLAMA_3_2_1B.shape().tensors().stream().noneMatch(t -> t.name().equals("output.weight")));
        assertEquals(128, ModelPreset.LLAMA_3_8B.shape().headDim());
        assertEquals(1024, ModelPreset.LLAMA_3_8B.shape().kvDim());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelPreset.byId("gpt-5"));
        assertEquals("unknown preset gpt-5 (known: tinyllama-1.1b, llama-3.2-1b, llama-3-8b)", e.getMessage());
    }

    @Test
    void commandLineWritesAPresetWithFewerLayers() throws IOException {
        Path p = dir.resolve("cli.gguf");
        int code = new CommandLine(new SyntheticModelCommand()).execute("--preset", "tinyllama-1.1b", "--type", "Q4_0",
                "--layers", "1", "--seed", "5", "-o", p.toString());
        assertEquals(0, code);
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(OptionalLong.of(1), g.integer("llama.block_count"));
            assertEquals(OptionalLong.of(2048), g.integer("llama.embedding_length"));
            assertEquals(OptionalLong.of(4), g.integer("llama.attention.head_count_kv"));
            assertEquals(3 + 9, g.tensors().size());
            assertArrayEquals(new long[] {2048, 5632}, g.tensor("blk.0.ffn_up.weight").orElseThrow().dims());
            assertEquals(GgmlType.Q4_0, g.tensor("token_embd.weight").orElseThrow().type());
        }
        int bad = new CommandLine(new SyntheticModelCommand()).execute("--preset", "tinyllama-1.1b", "--type", "Q5_K",
                "--layers", "1", "-o", dir.resolve("bad.gguf").toString());
        assertNotEquals(0, bad);
    }

    @Test
    void q8QuantsNeverUseMinus128() {
        assertEquals(0x8181_0000_7F81_0101L, RandomQ8_0.noMinus128(0x8080_0000_7F81_0101L));
        assertEquals(0x0000_0000_0000_0000L, RandomQ8_0.noMinus128(0L));
        assertEquals(0x8181_8181_8181_8181L, RandomQ8_0.noMinus128(0x8080_8080_8080_8080L));
        assertEquals(0x0181_0081_0000_0000L, RandomQ8_0.noMinus128(0x0180_0080_0000_0000L));
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals((short) 0x3F80, RandomHalfFloats.toBf16(1f));
        assertEquals((short) 0x3D4D, RandomHalfFloats.toBf16(0.05f)); // 0x3D4CCCCD rounds up
        assertEquals((short) 0x3F80, RandomHalfFloats.toBf16(Float.intBitsToFloat(0x3F808000))); // tie to even
        assertEquals((short) 0x3F82, RandomHalfFloats.toBf16(Float.intBitsToFloat(0x3F818000))); // tie to even, up
    }

    /** Decodes each format's stored values just enough to check they are finite and within ±0.05. */
    private static void assertSmallValues(WeightView w) {
        MemorySegment d = w.data();
        float bound = RandomBlockFiller.RANGE + 1e-6f;
        switch (w.type()) {
            case F16, BF16 -> {
                for (long i = 0; i < w.numValues(); i++) {
                    short h = d.getAtIndex(I16, i);
                    float v = w.type() == GgmlType.F16 ? Float.float16ToFloat(h) : Float.intBitsToFloat(h << 16);
                    assertTrue(Math.abs(v) <= bound, w.name() + "[" + i + "] = " + v);
                }
            }
            case Q8_0, Q4_0 -> {
                boolean q8 = w.type() == GgmlType.Q8_0;
                long blocks = w.numValues() / 32;
                float maxScale = RandomBlockFiller.RANGE / (q8 ? 127 : 8);
                for (long b = 0; b < blocks; b++) {
                    long at = b * w.type().bytesPerBlock();
                    float scale = Float.float16ToFloat(d.get(I16, at));
                    assertTrue(scale >= maxScale / 2 * 0.999f && scale <= maxScale, w.name() + " scale " + scale);
                    if (q8) {
                        for (int i = 0; i < 32; i++) {
                            assertNotEquals(-128, d.get(ValueLayout.JAVA_BYTE, at + 2 + i), w.name());
                        }
                    }
                }
            }
            default -> throw new AssertionError("unexpected type " + w.type());
        }
    }

    private static long params(LlamaShape s) {
        return s.tensors().stream().mapToLong(LlamaTensorSpec::numValues).sum();
    }

    private static boolean sameValue(Object a, Object b) {
        return a.getClass().isArray() ? Arrays.deepEquals(new Object[] {a}, new Object[] {b}) : a.equals(b);
    }

    private static Path sharedModel(String relative) {
        String root = System.getProperty("jserve.sharedModels");
        assertTrue(root != null, "system property jserve.sharedModels is not set");
        Path p = Path.of(root).resolve(relative);
        assertTrue(Files.isRegularFile(p), "missing shared model file " + p);
        return p;
    }
}
