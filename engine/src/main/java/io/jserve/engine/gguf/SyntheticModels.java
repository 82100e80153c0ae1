package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Writes small random-weight Llama models in GGUF, all tensors F32, with a byte-level
 * {@link SyntheticVocab}: a model that loads, tokenizes any text and generates (gibberish) with no model
 * file at hand. The CLI falls back to {@link #writeTinyLlama(Path)} when no model is given.
 *
 * <p>Deterministic: the same shape and seed always give the same bytes. Matrices are uniform in
 * {@code ±}{@link #WEIGHT_RANGE}, norm weights are 1, so activations stay finite through any depth.
 */
public final class SyntheticModels {
    /** dim 64, 4 layers, 8 heads / 4 KV heads (GQA), FFN 172, context 512, the minimal synthetic vocab. */
    public static final LlamaShape TINY_LLAMA =
            new LlamaShape(64, 4, 8, 4, 172, SyntheticVocab.MIN_SIZE, 512, 10000f, 1e-5f, false);
    public static final long DEFAULT_SEED = 42;
    /** Matrix values are drawn uniformly from [-WEIGHT_RANGE, WEIGHT_RANGE). */
    public static final float WEIGHT_RANGE = 0.05f;

    private SyntheticModels() {
    }

    /** Writes {@link #TINY_LLAMA} with {@link #DEFAULT_SEED} to {@code path} and returns it. */
    public static Path writeTinyLlama(Path path) throws IOException {
        write(path, TINY_LLAMA, DEFAULT_SEED, "synthetic-tiny-llama");
        return path;
    }

    /** Writes an all-F32 random Llama of the given shape. */
    public static void write(Path path, LlamaShape shape, long seed, String name) throws IOException {
        GgufWriter w = new GgufWriter();
        shape.putMetadata(w, name, 0); // general.file_type 0 = ALL_F32
        SyntheticVocab.put(w, shape.vocab());
        SplittableRandom random = new SplittableRandom(seed);
        for (LlamaTensorSpec t : shape.tensors()) {
            SplittableRandom tensorRandom = random.split(); // split now: values do not depend on write order
            w.addTensor(t.name(), GgmlType.F32, t.dims(),
                    out -> GgufTensorData.ofFloats(values(t, tensorRandom)).writeTo(out));
        }
        w.write(path);
    }

    private static float[] values(LlamaTensorSpec t, SplittableRandom random) {
        float[] v = new float[Math.toIntExact(t.numValues())];
        for (int i = 0; i < v.length; i++) {
            v[i] = t.norm() ? 1f : (float) random.nextDouble(-WEIGHT_RANGE, WEIGHT_RANGE);
        }
        return v;
    }
}
