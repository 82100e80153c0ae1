package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.runner.Backends;
import io.jserve.kernels.ComputeBackend;
import io.jserve.tokenizer.Tokenizer;
import io.jserve.tokenizer.Tokenizers;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * A model file opened, configured and loaded into a backend, with its tokenizer: everything the engine needs
 * before it sizes the KV pool. Closing it releases the backend and unmaps the file.
 */
public final class LoadedModel implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(LoadedModel.class.getName());

    private final GgufFile gguf;
    private final ModelConfig config;
    private final ComputeBackend backend;
    private final String backendDescription;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;

    private LoadedModel(GgufFile gguf, ModelConfig config, ComputeBackend backend, String backendDescription,
                        ModelWeights weights, Tokenizer tokenizer) {
        this.gguf = gguf;
        this.config = config;
        this.backend = backend;
        this.backendDescription = backendDescription;
        this.weights = weights;
        this.tokenizer = tokenizer;
    }

    /**
     * Opens {@code path} and loads it into the backend named {@code backendName} ({@code auto} picks), logging
     * progress per layer.
     *
     * @throws IllegalArgumentException for a file that is not a usable model, naming the problem
     */
    public static LoadedModel load(Path path, String backendName) {
        Objects.requireNonNull(path, "path");
        GgufFile gguf = GgufFile.open(path);
        try {
            ModelConfig config = ModelConfig.from(gguf);
            Tokenizer tokenizer = Tokenizers.fromGgufMetadata(gguf.metadata());
            Backends.Selection selection = Backends.select(backendName);
            ComputeBackend backend = selection.backend();
            LOG.log(System.Logger.Level.INFO, "loading {0} ({1}, {2} layers, dim {3}) on {4}", path.getFileName(),
                    config.architecture(), config.numLayers(), config.dim(), selection.description());
            long start = System.nanoTime();
            ModelWeights weights;
            try {
                weights = ModelWeights.load(gguf, config, backend, layer -> logProgress(layer, config.numLayers()));
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
            LOG.log(System.Logger.Level.INFO, "loaded in {0} ms", (System.nanoTime() - start) / 1_000_000);
            return new LoadedModel(gguf, config, backend, selection.description(), weights, tokenizer);
        } catch (RuntimeException e) {
            gguf.close();
            throw e;
        }
    }

    private static void logProgress(int layer, int numLayers) {
        int done = layer + 1;
        // about ten lines for a large model, one for a small one
        if (done == numLayers || (numLayers >= 10 && done % Math.max(1, numLayers / 10) == 0)) {
            LOG.log(System.Logger.Level.INFO, "weights: {0}/{1} layers", done, numLayers);
        }
    }

    public ModelConfig config() {
        return config;
    }

    public ComputeBackend backend() {
        return backend;
    }

    public String backendDescription() {
        return backendDescription;
    }

    public ModelWeights weights() {
        return weights;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public Path path() {
        return gguf.path();
    }

    /** The model's own chat template ({@code tokenizer.chat_template}), if any. */
    public Optional<String> chatTemplate() {
        return gguf.string("tokenizer.chat_template");
    }

    @Override
    public void close() {
        backend.close();
        gguf.close();
    }
}
