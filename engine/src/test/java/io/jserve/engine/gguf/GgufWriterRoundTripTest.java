package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Everything the writer can store comes back from the reader as the documented Java shape. */
class GgufWriterRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyScalarTypeRoundTrips() throws IOException {
        GgufWriter w = new GgufWriter()
                .put("u8", GgufValueType.UINT8, 255)
                .put("i8", GgufValueType.INT8, -128)
                .put("u16", GgufValueType.UINT16, 65535)
                .put("i16", GgufValueType.INT16, -32768)
                .put("u32", GgufValueType.UINT32, 0xFFFF_FFFFL)
                .put("i32", GgufValueType.INT32, Integer.MIN_VALUE)
                .put("u64", GgufValueType.UINT64, -1L)
                .put("i64", GgufValueType.INT64, Long.MIN_VALUE)
                .put("f32", GgufValueType.FLOAT32, 1.5f)
                .put("f64", GgufValueType.FLOAT64, -2.25)
                .put("bool", GgufValueType.BOOL, true)
                .put("str", GgufValueType.STRING, "héllo ▁wörld 🦙")
                .put("empty", GgufValueType.STRING, "");
        try (GgufFile g = writeAndOpen(w)) {
            Map<String, Object> m = g.metadata();
            assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "bool", "str", "empty"),
                    List.copyOf(m.keySet()), "file order is kept");
            assertEquals(255, m.get("u8"));
            assertEquals(-128, m.get("i8"));
            assertEquals(65535, m.get("u16"));
            assertEquals(-32768, m.get("i16"));
            assertEquals(0xFFFF_FFFFL, m.get("u32"));
            assertEquals(Integer.MIN_VALUE, m.get("i32"));
            assertEquals(-1L, m.get("u64"));
            assertEquals(Long.MIN_VALUE, m.get("i64"));
            assertEquals(1.5f, m.get("f32"));
            assertEquals(-2.25, m.get("f64"));
            assertEquals(true, m.get("bool"));
            assertEquals("héllo ▁wörld 🦙", m.get("str"));
            assertEquals("", m.get("empty"));
            for (String k : m.keySet()) {
                assertEquals(k.equals("empty") ? GgufValueType.STRING : typeOf(k), g.valueType(k).orElseThrow(), k);
            }
            assertEquals(255L, g.integer("u8").orElseThrow());
            assertEquals(0xFFFF_FFFFL, g.integer("u32").orElseThrow());
            assertEquals(-2.25f, g.float32("f64").orElseThrow());
            assertEquals(255f, g.float32("u8").orElseThrow());
        }
    }

    @Test
    void everyArrayTypeRoundTripsIncludingNested() throws IOException {
        GgufArray inner1 = new GgufArray(GgufValueType.INT16, new int[] {-1, 2});
        GgufArray inner2 = new GgufArray(GgufValueType.STRING, List.of("x", "yz"));
        GgufArray innerNested = new GgufArray(GgufValueType.ARRAY,
                List.of(new GgufArray(GgufValueType.FLOAT64, new double[] {0.5})));
        GgufWriter w = new GgufWriter()
                .putArray("a.u8", GgufValueType.UINT8, new int[] {0, 200, 255})
                .putArray("a.i8", GgufValueType.INT8, new int[] {-128, 0, 127})
                .putArray("a.u16", GgufValueType.UINT16, new int[] {65535, 1})
                .putArray("a.i16", GgufValueType.INT16, new int[] {-32768, 32767})
                .putArray("a.u32", GgufValueType.UINT32, new int[] {-1, 7})
                .putArray("a.i32", GgufValueType.INT32, new int[] {Integer.MIN_VALUE, 3})
                .putArray("a.u64", GgufValueType.UINT64, new long[] {-1L, 9})
                .putArray("a.i64", GgufValueType.INT64, new long[] {Long.MIN_VALUE})
                .putArray("a.f32", GgufValueType.FLOAT32, new float[] {0.25f, -1e-30f, Float.NaN})
                .putArray("a.f64", GgufValueType.FLOAT64, new double[] {Math.PI})
                .putArray("a.bool", GgufValueType.BOOL, new boolean[] {true, false, true})
                .putStrings("a.str", List.of("a", "", "▁the"))
                .putArray("a.empty", GgufValueType.INT32, new int[0])
                .putArray("a.nested", GgufValueType.ARRAY, List.of(inner1, inner2, innerNested));
        try (GgufFile g = writeAndOpen(w)) {
            Map<String, Object> m = g.metadata();
            assertArrayEquals(new int[] {0, 200, 255}, (int[]) m.get("a.u8"));
            assertArrayEquals(new int[] {-128, 0, 127}, (int[]) m.get("a.i8"));
            assertArrayEquals(new int[] {65535, 1}, (int[]) m.get("a.u16"));
            assertArrayEquals(new int[] {-32768, 32767}, (int[]) m.get("a.i16"));
            assertArrayEquals(new int[] {-1, 7}, (int[]) m.get("a.u32"));
            assertArrayEquals(new int[] {Integer.MIN_VALUE, 3}, (int[]) m.get("a.i32"));
            assertArrayEquals(new long[] {-1L, 9}, (long[]) m.get("a.u64"));
            assertArrayEquals(new long[] {Long.MIN_VALUE}, (long[]) m.get("a.i64"));
            assertArrayEquals(new float[] {0.25f, -1e-30f, Float.NaN}, (float[]) m.get("a.f32"));
            assertArrayEquals(new double[] {Math.PI}, (double[]) m.get("a.f64"));
            assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) m.get("a.bool"));
            assertEquals(List.of("a", "", "▁the"), m.get("a.str"));
            assertArrayEquals(new int[0], (int[]) m.get("a.empty"));
            List<?> nested = assertInstanceOf(List.class, m.get("a.nested"));
            assertEquals(3, nested.size());
            assertArrayEquals(new int[] {-1, 2}, (int[]) nested.get(0));
            assertEquals(List.of("x", "yz"), nested.get(1));
            List<?> deeper = assertInstanceOf(List.class, nested.get(2));
            assertArrayEquals(new double[] {0.5}, (double[]) deeper.get(0));
            assertEquals(GgufValueType.ARRAY, g.valueType("a.u8").orElseThrow());
            assertEquals(GgufValueType.UINT8, g.arrayElementType("a.u8").orElseThrow());
            assertEquals(GgufValueType.ARRAY, g.arrayElementType("a.nested").orElseThrow());
            assertArrayEquals(new int[] {-1, 7}, g.ints("a.u32").orElseThrow());
            assertEquals(List.of("a", "", "▁the"), g.strings("a.str").orElseThrow());
            int[] copy = g.ints("a.i32").orElseThrow();
            copy[0] = 0;
            assertEquals(Integer.MIN_VALUE, g.ints("a.i32").orElseThrow()[0], "typed accessors return copies");
        }
    }

    @Test
    void tensorsAreAlignedAndStreamed() throws IOException {
        float[] vec = {1f, 2f, 3f};
        byte[] q8 = new byte[2 * 34];
        for (int i = 0; i < q8.length; i++) {
            q8[i] = (byte) (i * 7);
        }
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "test")
                .addTensor("vec", new long[] {3}, vec)
                .addTensor("q8", GgmlType.Q8_0, new long[] {32, 2}, GgufTensorData.of(MemorySegment.ofArray(q8)))
                .addTensor("cube", new long[] {2, 2, 2}, new float[] {0, 1, 2, 3, 4, 5, 6, 7});
        try (GgufFile g = writeAndOpen(w)) {
            assertEquals(3, g.version());
            assertEquals(0, g.dataOffset() % 32);
            List<GgufTensorInfo> ts = g.tensors();
            assertEquals(List.of("vec", "q8", "cube"), ts.stream().map(GgufTensorInfo::name).toList());
            assertEquals(0, ts.get(0).offset());
            assertEquals(32, ts.get(1).offset(), "12 bytes of vec are padded to 32");
            assertEquals(128, ts.get(2).offset(), "68 bytes of q8 are padded to 96");
            WeightView v = g.weight("vec");
            assertEquals(1.0f, v.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            assertEquals(3.0f, v.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 8));
            assertArrayEquals(q8, g.weight("q8").data().toArray(ValueLayout.JAVA_BYTE));
            WeightView cube = g.weight("cube");
            assertEquals(4, cube.rows());
            assertEquals(2, cube.cols());
            assertEquals(7f, cube.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 28));
            assertEquals(g.dataOffset() + 128 + 32, Files.size(g.path()), "the last tensor is padded too");
        }
    }

    @Test
    void customAlignmentIsRecordedAndHonoured() throws IOException {
        GgufWriter w = new GgufWriter().alignment(64)
                .addTensor("a", new long[] {1}, new float[] {1})
                .addTensor("b", new long[] {1}, new float[] {2});
        try (GgufFile g = writeAndOpen(w)) {
            assertEquals(64, g.alignment());
            assertEquals(0, g.dataOffset() % 64);
            assertEquals(64, g.tensor("b").orElseThrow().offset());
        }
        assertThrows(IllegalArgumentException.class, () -> new GgufWriter().alignment(48));
    }

    @Test
    void copyMetadataKeepsExactTypes() throws IOException {
        Path src = dir.resolve("src.gguf");
        new GgufWriter().putArray("k.u8", GgufValueType.UINT8, new int[] {1, 2})
                .put("k.i16", GgufValueType.INT16, -5).write(src);
        try (GgufFile s = GgufFile.open(src)) {
            GgufWriter w = new GgufWriter().copyMetadata(s, "k.u8").copyMetadata(s, "k.i16");
            try (GgufFile g = writeAndOpen(w)) {
                assertEquals(GgufValueType.UINT8, g.arrayElementType("k.u8").orElseThrow());
                assertArrayEquals(new int[] {1, 2}, g.ints("k.u8").orElseThrow());
                assertEquals(GgufValueType.INT16, g.valueType("k.i16").orElseThrow());
                assertEquals(-5, g.metadata().get("k.i16"));
            }
        }
    }

    @Test
    void writerRejectsBadInput() {
        GgufWriter w = new GgufWriter().putString("k", "v");
        assertThrows(IllegalArgumentException.class, () -> w.putString("k", "again"));
        assertThrows(IllegalArgumentException.class, () -> w.put("u8", GgufValueType.UINT8, 256));
        assertThrows(IllegalArgumentException.class, () -> w.put("u32", GgufValueType.UINT32, -1));
        assertThrows(IllegalArgumentException.class, () -> w.put("s", GgufValueType.STRING, 3));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("a", GgufValueType.INT8, new int[] {128}));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("a", GgufValueType.FLOAT32, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.Q8_0, new long[] {31}, out -> { }));
        w.addTensor("t", new long[] {2}, new float[] {1, 2});
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", new long[] {1}, new float[] {1}));
    }

    @Test
    void tensorDataOfTheWrongSizeFailsTheWrite() {
        GgufWriter w = new GgufWriter().addTensor("t", GgmlType.F32, new long[] {4},
                out -> GgufTensorData.writeFully(out, ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN)));
        IOException e = assertThrows(IOException.class, () -> w.write(dir.resolve("bad.gguf")));
        assertTrue(e.getMessage().contains("wrote 12 bytes, expected 16"), e.getMessage());
    }

    private GgufFile writeAndOpen(GgufWriter w) throws IOException {
        Path p = dir.resolve("out.gguf");
        w.write(p);
        return GgufFile.open(p);
    }

    private static GgufValueType typeOf(String key) {
        return switch (key) {
            case "u8" -> GgufValueType.UINT8;
            case "i8" -> GgufValueType.INT8;
            case "u16" -> GgufValueType.UINT16;
            case "i16" -> GgufValueType.INT16;
            case "u32" -> GgufValueType.UINT32;
            case "i32" -> GgufValueType.INT32;
            case "u64" -> GgufValueType.UINT64;
            case "i64" -> GgufValueType.INT64;
            case "f32" -> GgufValueType.FLOAT32;
            case "f64" -> GgufValueType.FLOAT64;
            case "bool" -> GgufValueType.BOOL;
            default -> GgufValueType.STRING;
        };
    }
}
