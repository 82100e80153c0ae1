package io.jserve.engine.gguf;

import io.jserve.kernels.WeightView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Truncated and corrupted copies of the real small models either open with every tensor inside the file,
 * or fail with {@link GgufFormatException}: never another exception, an {@code OutOfMemoryError} or a hang.
 * The copies are parsed from memory ({@link GgufFile#parse}) so thousands of them stay fast.
 */
class GgufRobustnessTest {
    private static final String[] MODELS = {"stories260K.gguf", "tinystories-656k/TinyStories-656K-Q8_0.gguf"};
    /**
     * Every header length is cut for stories260K (14 KB of header: all its structures, string arrays
     * included) and every 5th for the 656K model (50 KB, mostly 2048 tokens of the same shape); bytes are
     * flipped at every 3rd / 11th header offset. The strides keep the suite within seconds.
     */
    private static final int[] CUT_STRIDES = {1, 5};
    private static final int[] FLIP_STRIDES = {3, 11};

    @Test
    @Timeout(60)
    void truncationsThroughoutTheHeaderFail() throws IOException {
        for (int m = 0; m < MODELS.length; m++) {
            String model = MODELS[m];
            byte[] bytes = Files.readAllBytes(SharedModels.file(model));
            long dataOffset = dataOffset(bytes);
            for (int len = 0; len < dataOffset; len += CUT_STRIDES[m]) {
                expectFailure(bytes, len, model + " cut at " + len);
            }
        }
    }

    @Test
    @Timeout(60)
    void truncationsInTheDataRegionFailAsTruncatedData() throws IOException {
        for (String model : MODELS) {
            byte[] bytes = Files.readAllBytes(SharedModels.file(model));
            long dataOffset = dataOffset(bytes);
            SplittableRandom random = new SplittableRandom(7);
            for (int i = 0; i < 200; i++) {
                int len = (int) random.nextLong(dataOffset, bytes.length);
                GgufFormatException e = expectFailure(bytes, len, model + " cut at " + len);
                assertTrue(e.getMessage().contains("runs past the end of the file: truncated data")
                        || e.getMessage().contains("truncated data: the data section would start"), e.getMessage());
            }
        }
    }

    @Test
    @Timeout(60)
    void singleByteFlipsInTheHeaderOpenSafelyOrFail() throws IOException {
        for (int m = 0; m < MODELS.length; m++) {
            String model = MODELS[m];
            byte[] bytes = Files.readAllBytes(SharedModels.file(model));
            int headerEnd = (int) dataOffset(bytes);
            int opened = 0;
            for (int at = 0; at < headerEnd; at += FLIP_STRIDES[m]) {
                byte saved = bytes[at];
                bytes[at] = (byte) ~saved;
                opened += openSafelyOrFail(bytes, model + " with byte " + at + " flipped") ? 1 : 0;
                bytes[at] = saved;
            }
            // flips inside strings and float values leave a valid file: some must open
            assertTrue(opened > 0 && opened < headerEnd / FLIP_STRIDES[m], model + ": " + opened + " flips opened");
        }
    }

    @Test
    @Timeout(60)
    void randomMutationsOpenSafelyOrFail() throws IOException {
        SplittableRandom random = new SplittableRandom(20240601);
        for (String model : MODELS) {
            byte[] bytes = Files.readAllBytes(SharedModels.file(model));
            int headerEnd = (int) dataOffset(bytes);
            for (int round = 0; round < 800; round++) {
                int n = 1 + random.nextInt(4);
                int[] at = new int[n];
                byte[] saved = new byte[n];
                for (int i = 0; i < n; i++) {
                    // mostly the header, where structure lives; sometimes anywhere
                    at[i] = random.nextInt(4) == 0 ? random.nextInt(bytes.length) : random.nextInt(headerEnd);
                    saved[i] = bytes[at[i]];
                    bytes[at[i]] = (byte) random.nextInt(256);
                }
                openSafelyOrFail(bytes, model + " mutation round " + round);
                for (int i = n - 1; i >= 0; i--) {
                    bytes[at[i]] = saved[i];
                }
            }
        }
    }

    @Test
    void truncatedFileOnDiskFailsThroughOpen() throws IOException {
        Path src = SharedModels.file("stories260K.gguf");
        Path cut = Files.createTempFile("cut", ".gguf");
        try {
            byte[] bytes = Files.readAllBytes(src);
            Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 100));
            try {
                GgufFile.open(cut).close();
                fail("a cut file opened");
            } catch (GgufFormatException e) {
                assertTrue(e.getMessage().startsWith(cut + ": tensor "), e.getMessage());
            }
        } finally {
            Files.delete(cut);
        }
    }

    private static long dataOffset(byte[] bytes) {
        GgufFile g = GgufFile.parse(Path.of("original"), MemorySegment.ofArray(bytes));
        assertEquals(3, g.version());
        return g.dataOffset();
    }

    private static GgufFormatException expectFailure(byte[] bytes, int len, String what) {
        try {
            GgufFile.parse(Path.of("cut.gguf"), MemorySegment.ofArray(bytes).asSlice(0, len));
        } catch (GgufFormatException e) {
            return e;
        } catch (Throwable t) {
            throw new AssertionError(what + ": threw " + t, t);
        }
        throw new AssertionError(what + ": opened");
    }

    /** Returns true when it opened (after checking every tensor lies in the file), false on GgufFormatException. */
    private static boolean openSafelyOrFail(byte[] bytes, String what) {
        MemorySegment segment = MemorySegment.ofArray(bytes);
        GgufFile g;
        try {
            g = GgufFile.parse(Path.of("mutated.gguf"), segment);
        } catch (GgufFormatException e) {
            return false;
        } catch (Throwable t) {
            throw new AssertionError(what + ": threw " + t, t);
        }
        try {
            for (GgufTensorInfo t : g.tensors()) {
                WeightView w = g.weight(t.name());
                long start = w.data().address() - segment.address();
                assertTrue(start >= g.dataOffset() && start + w.data().byteSize() <= bytes.length, what + ": " + t);
                w.data().get(ValueLayout.JAVA_BYTE, w.data().byteSize() - 1);
            }
            g.metadata().keySet().forEach(k -> g.valueType(k).orElseThrow());
        } catch (Throwable t) {
            throw new AssertionError(what + ": opened, then " + t, t);
        }
        return true;
    }
}
