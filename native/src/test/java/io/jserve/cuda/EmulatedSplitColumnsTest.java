package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * elementwise.cu's {@code split_columns} on the CPU emulator ({@link KernelEmulator}): a weight group's product
 * [tokens, c0 + c1 + c2] goes column by column into its three (or two) outputs, exactly.
 */
class EmulatedSplitColumnsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} tokens into {1} + {2} + {3}")
    @CsvSource({"1, 2048, 512, 512", "7, 4096, 1024, 1024", "3, 300, 20, 0"})
    void rowsAreSplitByColumns(int tokens, int c0, int c1, int c2) throws IOException {
        int cols = c0 + c1 + c2;
        float[] src = new float[tokens * cols];
        for (int i = 0; i < src.length; i++) {
            src[i] = i * 0.5f;
        }
        ByteBuffer in = ByteBuffer.allocate(16 + 4 * src.length).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(tokens).putInt(c0).putInt(c1).putInt(c2);
        for (float v : src) {
            in.putFloat(v);
        }
        Path input = dir.resolve("in.bin");
        Path output = dir.resolve("out.bin");
        Files.write(input, in.array());
        KernelEmulator.runDriver(KernelEmulator.driver("split"), cols, input.toString(), output.toString());
        float[] out = new float[src.length];
        ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        int at = 0;
        int first = 0;
        for (int width : new int[] {c0, c1, c2}) {
            for (int t = 0; t < tokens; t++) {
                float[] expected = Arrays.copyOfRange(src, t * cols + first, t * cols + first + width);
                assertArrayEquals(expected, Arrays.copyOfRange(out, at, at + width), "token " + t);
                at += width;
            }
            first += width;
        }
    }
}
