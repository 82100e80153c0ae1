package io.jserve.kernels.quant;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.SharedModels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every format against llama.cpp's own dequantization of the same bytes ({@code reference/quant-TYPE.gguf} and
 * {@code .f32}, see {@code shared/models/reference/README.md} section 1): float {@code ==} on all 2048 values
 * (bit-exact except that +0 equals -0, which ggml produces from a negative scale times a zero quant).
 */
class WeightFormatReferenceTest {
    static final int ROWS = 8;
    static final int COLS = 256;
    static final int DATA_OFFSET = 128;

    @ParameterizedTest
    @EnumSource(names = {"F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K",
            "Q6_K", "IQ4_NL"})
    void dequantizesExactlyAsGgml(GgmlType type) throws IOException {
        byte[] file = Files.readAllBytes(SharedModels.file("reference/quant-" + type + ".gguf"));
        long rowBytes = type.bytesFor(COLS);
        // the data is padded to 32 bytes at the end of the file
        assertEquals((DATA_OFFSET + ROWS * rowBytes + 31) / 32 * 32, file.length, "file size of quant-" + type);
        float[] expected = readFloats("reference/quant-" + type + ".f32");
        MemorySegment data = MemorySegment.ofArray(file);
        WeightFormat format = WeightFormat.of(type);
        assertEquals(type, format.type());
        int mismatches = 0;
        String first = null;
        for (int r = 0; r < ROWS; r++) {
            float[] row = format.dequantize(data, DATA_OFFSET + r * rowBytes, COLS);
            for (int c = 0; c < COLS; c++) {
                float e = expected[r * COLS + c];
                if (row[c] != e) {
                    mismatches++;
                    if (first == null) {
                        first = "row %d col %d: got %s expected %s".formatted(r, c, row[c], e);
                    }
                }
            }
        }
        assertEquals(0, mismatches, type + ": " + mismatches + " mismatches, first " + first);
    }

    @org.junit.jupiter.api.Test
    void f32IsACopyOfTheSource() throws IOException {
        float[] source = readFloats("reference/quant-source.f32");
        byte[] bytes = Files.readAllBytes(SharedModels.file("reference/quant-source.f32"));
        float[] out = WeightFormat.of(GgmlType.F32).dequantize(MemorySegment.ofArray(bytes), 4 * 256, 512);
        for (int i = 0; i < 512; i++) {
            assertEquals(Float.floatToRawIntBits(source[256 + i]), Float.floatToRawIntBits(out[i]));
        }
    }

    @org.junit.jupiter.api.Test
    void unsupportedTypesFailWithTheirName() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
                () -> WeightFormat.of(GgmlType.Q8_K));
        assertTrue(e.getMessage().contains("Q8_K"), e.getMessage());
        assertTrue(WeightFormat.isSupported(GgmlType.Q6_K));
    }

    static float[] readFloats(String relative) throws IOException {
        byte[] bytes = Files.readAllBytes(SharedModels.file(relative));
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
