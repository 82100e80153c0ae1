package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.gguf.GgufTensorData;
import io.jserve.engine.gguf.GgufWriter;
import io.jserve.engine.gguf.LlamaShape;
import io.jserve.engine.gguf.LlamaTensorSpec;
import io.jserve.engine.gguf.SyntheticVocab;
import io.jserve.kernels.GgmlType;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a random-weight Llama GGUF at a real model's shape, for throughput benchmarks: matrices (and
 * {@code token_embd}) in F16, BF16, Q8_0 or Q4_0, norms F32 (all ones). The vocabulary is copied from a vocab
 * GGUF when one is given (every {@code tokenizer.*} key; its token count sets the vocabulary size), else a
 * synthetic byte-level vocabulary padded to the shape's size, since the GPU machine has no shared models.
 *
 * <p>Streams: each tensor is generated chunk by chunk into one reusable 16 MiB buffer, in parallel, so an 8B model (16 GB
 * in F16) is written with constant memory. Deterministic for a given seed.
 */
public final class SyntheticModelWriter {
    private static final int BUFFER_BYTES = 16 << 20;

    /** What was written and how fast. */
    public record Result(Path path, LlamaShape shape, long bytes, double seconds) {
        public double megabytesPerSecond() {
            return bytes / 1e6 / Math.max(seconds, 1e-9);
        }
    }

    private SyntheticModelWriter() {
    }

    /**
     * Writes a model.
     *
     * @param weightType F32, F16, BF16, Q8_0, Q4_0, Q4_K or Q6_K, for every matrix including {@code token_embd}
     * @param vocab      a GGUF whose {@code tokenizer.*} keys to copy, or empty for a synthetic vocabulary
     */
    public static Result write(Path out, String name, LlamaShape shape, GgmlType weightType, Optional<Path> vocab,
                               long seed) throws IOException {
        long t0 = System.nanoTime();
        RandomBlockFiller filler = RandomBlockFiller.forType(weightType);
        GgufWriter w = new GgufWriter();
        LlamaShape finalShape = vocab.isPresent() ? copyVocab(w, vocab.get(), shape) : shape;
        if (vocab.isEmpty()) {
            SyntheticVocab.put(w, shape.vocab());
        }
        finalShape.putMetadata(w, name, fileType(weightType));
        w.putUint32("general.quantization_version", 2);
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        SplittableRandom random = new SplittableRandom(seed);
        for (LlamaTensorSpec t : finalShape.tensors()) {
            SplittableRandom tensorRandom = random.split();
            if (t.norm()) {
                float[] ones = new float[Math.toIntExact(t.numValues())];
                Arrays.fill(ones, 1f);
                w.addTensor(t.name(), GgmlType.F32, t.dims(), GgufTensorData.ofFloats(ones));
            } else {
                w.addTensor(t.name(), weightType, t.dims(),
                        new RandomTensorData(filler, t.numValues(), tensorRandom, buffer));
            }
        }
        w.write(out);
        return new Result(out, finalShape, Files.size(out), (System.nanoTime() - t0) / 1e9);
    }

    /** Copies every tokenizer key and returns the shape with the copied vocabulary's size. */
    private static LlamaShape copyVocab(GgufWriter w, Path vocab, LlamaShape shape) {
        try (GgufFile v = GgufFile.open(vocab)) {
            List<String> tokens = v.strings("tokenizer.ggml.tokens").orElseThrow(() ->
                    new IllegalArgumentException(vocab + " has no tokenizer.ggml.tokens"));
            for (String key : v.metadata().keySet()) {
                if (key.startsWith("tokenizer.")) {
                    w.copyMetadata(v, key);
                }
            }
            return shape.withVocab(tokens.size());
        }
    }

    /** llama.cpp's {@code general.file_type} for a model whose matrices are all {@code type}. */
    static int fileType(GgmlType type) {
        return switch (type) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q4_K -> 14; // MOSTLY_Q4_K_S: every matrix Q4_K (Q4_K_M would mix in Q6_K)
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> throw new IllegalArgumentException("no file type for " + type);
        };
    }

    /** Command line entry point; see {@link SyntheticModelCommand} for the options. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SyntheticModelCommand()).execute(args));
    }
}
