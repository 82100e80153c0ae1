package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.gguf.GgufWriter;
import io.jserve.kernels.RopeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RoPE scaling metadata read from a GGUF and turned into per-pair angle steps. */
class RopeScalingTest {
    @TempDir
    Path dir;

    private RopeConfig rope(Consumer<GgufWriter> keys, int ropeDim, float base) throws IOException {
        Path p = dir.resolve("m" + System.nanoTime() + ".gguf");
        GgufWriter w = new GgufWriter().putString("general.architecture", "llama");
        keys.accept(w);
        w.write(p);
        try (GgufFile g = GgufFile.open(p)) {
            return RopeScaling.from(g, "llama", 8192).rope(ropeDim, base, false);
        }
    }

    @Test
    void noneIsThePlainFrequencies() throws IOException {
        RopeConfig r = rope(w -> { }, 64, 10000f);
        assertEquals(new RopeConfig(64, 10000f, 1f, false), r);
        assertEquals(1f, r.magnitudeScale());
    }

    /** Linear: every step times 1 / factor, from {@code rope.scaling.*} or the older {@code rope.scale_linear}. */
    @Test
    void linear() throws IOException {
        float[] plain = RopeConfig.standardFrequencies(64, 10000f, 1f);
        for (Consumer<GgufWriter> keys : java.util.List.<Consumer<GgufWriter>>of(
                w -> w.putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 4f),
                w -> w.putFloat32("llama.rope.scale_linear", 4f))) {
            RopeConfig r = rope(keys, 64, 10000f);
            for (int i = 0; i < 32; i++) {
                assertEquals(0.25f * plain[i], r.inverseFrequency(i));
            }
            assertEquals(0.25f, r.freqScale());
        }
    }

    /**
     * Llama 3.1's scaling (factor 8, low 1, high 4, original 8192, base 500000, 128 dims) against Hugging Face's
     * formula in double: high frequencies kept, low ones divided by 8, a smooth blend between.
     */
    @Test
    void llama3FromMetadata() throws IOException {
        RopeConfig r = rope(w -> w.putString("llama.rope.scaling.type", "llama3")
                .putFloat32("llama.rope.scaling.factor", 8f)
                .putUint32("llama.rope.scaling.original_context_length", 8192), 128, 500000f);
        float[] plain = RopeConfig.standardFrequencies(128, 500000f, 1f);
        int kept = 0;
        int divided = 0;
        int blended = 0;
        for (int i = 0; i < 64; i++) {
            double wavelen = 2 * Math.PI / plain[i];
            double want;
            if (wavelen < 8192 / 4.0) {
                want = plain[i];
                kept++;
            } else if (wavelen > 8192 / 1.0) {
                want = plain[i] / 8.0;
                divided++;
            } else {
                double smooth = (8192 / wavelen - 1) / (4 - 1);
                want = (1 - smooth) * plain[i] / 8 + smooth * plain[i];
                blended++;
            }
            assertEquals(want, r.inverseFrequency(i), 1e-6 * want, "pair " + i);
        }
        assertTrue(kept > 0 && divided > 0 && blended > 0, kept + " / " + divided + " / " + blended);
    }

    /** A {@code rope_freqs.weight} tensor divides the frequencies, pair by pair. */
    @Test
    void freqFactorsTensor() throws IOException {
        float[] factors = {1f, 2f, 4f, 8f};
        RopeConfig r = rope(w -> w.addTensor("rope_freqs.weight", new long[] {4}, factors), 8, 10000f);
        float[] plain = RopeConfig.standardFrequencies(8, 10000f, 1f);
        for (int i = 0; i < 4; i++) {
            assertEquals(plain[i] / factors[i], r.inverseFrequency(i));
        }
    }

    /**
     * YaRN (factor 4, original 4096, base 10000, 64 dims): ggml's correction dims for beta 32 and 1 are
     * floor(10.47) = 10 and ceil(22.51) = 23, so pairs up to 10 keep their frequency, pairs from 23 on are
     * interpolated (times 1/4), pair 16 blends with weight 7/13; magnitude 1 + 0.1 ln 4.
     */
    @Test
    void yarn() throws IOException {
        RopeConfig r = rope(w -> w.putString("llama.rope.scaling.type", "yarn")
                .putFloat32("llama.rope.scaling.factor", 4f)
                .putUint32("llama.rope.scaling.original_context_length", 4096), 64, 10000f);
        float[] plain = RopeConfig.standardFrequencies(64, 10000f, 1f);
        assertEquals(plain[5], r.inverseFrequency(5), 1e-7 * plain[5]);
        assertEquals(plain[10], r.inverseFrequency(10), 1e-7 * plain[10]);
        assertEquals(0.25 * plain[30], r.inverseFrequency(30), 1e-7 * plain[30]);
        double mix = 7.0 / 13;
        assertEquals(0.25 * plain[16] * (1 - mix) + plain[16] * mix, r.inverseFrequency(16), 1e-6 * plain[16]);
        assertEquals(1 + 0.1 * Math.log(4), r.magnitudeScale(), 1e-6);
    }

    @Test
    void unknownScalingTypeFailsWithItsName() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> rope(w -> w.putString("llama.rope.scaling.type", "dynamic"), 8, 10000f));
        assertTrue(e.getMessage().contains("unsupported rope scaling type 'dynamic'"), e.getMessage());
    }

    @Test
    void wrongNumberOfFreqFactorsFails() {
        assertThrows(IllegalArgumentException.class,
                () -> rope(w -> w.addTensor("rope_freqs.weight", new long[] {3}, new float[] {1, 1, 1}), 8, 1e4f));
        assertArrayEquals(new float[] {1f, 2f}, new RopeScaling(RopeScaling.Type.NONE, 1f, 0, 1f, 32f, 1f, 1f, 4f,
                new float[] {1f, 2f}).freqFactors());
    }
}
