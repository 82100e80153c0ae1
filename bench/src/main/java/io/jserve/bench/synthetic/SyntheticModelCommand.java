package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.LlamaShape;
import io.jserve.kernels.GgmlType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The options of {@link SyntheticModelWriter#main}. */
@Command(name = "synthetic-model", mixinStandardHelpOptions = true,
        description = "Writes a random-weight Llama GGUF at a real model's shape, for benchmarks.")
final class SyntheticModelCommand implements Callable<Integer> {
    @Option(names = "--preset", required = true,
            description = "tinyllama-1.1b, llama-3.2-1b or llama-3-8b")
    String preset;

    @Option(names = "--type", defaultValue = "F16",
            description = "matrix weight type: F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K or F32 (default ${DEFAULT-VALUE})")
    GgmlType type;

    @Option(names = {"--out", "-o"}, required = true, description = "the GGUF file to write")
    Path out;

    @Option(names = "--vocab", description = "a GGUF to copy the tokenizer.* keys from (else a synthetic byte-level vocabulary)")
    Path vocab;

    @Option(names = "--layers", description = "override the preset's block count (e.g. 2 for a quick test)")
    Integer layers;

    @Option(names = "--seed", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws Exception {
        ModelPreset p = ModelPreset.byId(preset);
        LlamaShape s = p.shape();
        if (layers != null) {
            s = new LlamaShape(s.dim(), layers, s.heads(), s.kvHeads(), s.ffn(), s.vocab(), s.context(), s.ropeBase(),
                    s.rmsEps(), s.tiedEmbeddings());
        }
        SyntheticModelWriter.Result r = SyntheticModelWriter.write(out, "synthetic-" + p.id(), s, type,
                Optional.ofNullable(vocab), seed);
        System.out.printf("wrote %s: %s %s, %d layers, vocab %d, %.2f GB in %.1f s (%.0f MB/s)%n", r.path(), p.id(),
                type, r.shape().layers(), r.shape().vocab(), r.bytes() / 1e9, r.seconds(), r.megabytesPerSecond());
        return 0;
    }
}
