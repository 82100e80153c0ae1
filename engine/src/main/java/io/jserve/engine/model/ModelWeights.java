package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * All weights of a Llama-family model, loaded into one backend, with their shapes checked against the
 * {@link ModelConfig} so that a wrong file fails at load with the tensor's name, not inside a kernel.
 */
public record ModelWeights(Weight tokenEmbedding, // [vocab, dim]
                           Weight outputNorm,     // [dim]
                           Weight output,         // [vocab, dim]; the embedding itself when tied
                           List<LayerWeights> layers) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }

    /**
     * Loads the weights of {@code gguf} into {@code backend}.
     *
     * @param onLayer called with the index of each block once it is loaded (progress reporting)
     */
    public static ModelWeights load(GgufFile gguf, ModelConfig config, ComputeBackend backend, IntConsumer onLayer) {
        Loader loader = new Loader(gguf, backend);
        Weight embedding = loader.matrix("token_embd.weight", config.vocabSize(), config.dim());
        Weight outputNorm = loader.vector("output_norm.weight", config.dim());
        Weight output = gguf.tensor("output.weight").isPresent()
                ? loader.matrix("output.weight", config.vocabSize(), config.dim())
                : embedding;
        List<LayerWeights> layers = new ArrayList<>(config.numLayers());
        for (int i = 0; i < config.numLayers(); i++) {
            String p = "blk." + i + ".";
            layers.add(new LayerWeights(
                    loader.vector(p + "attn_norm.weight", config.dim()),
                    loader.matrix(p + "attn_q.weight", config.qDim(), config.dim()),
                    loader.matrix(p + "attn_k.weight", config.kvDim(), config.dim()),
                    loader.matrix(p + "attn_v.weight", config.kvDim(), config.dim()),
                    loader.matrix(p + "attn_output.weight", config.dim(), config.qDim()),
                    loader.vector(p + "ffn_norm.weight", config.dim()),
                    loader.matrix(p + "ffn_gate.weight", config.ffnDim(), config.dim()),
                    loader.matrix(p + "ffn_up.weight", config.ffnDim(), config.dim()),
                    loader.matrix(p + "ffn_down.weight", config.dim(), config.ffnDim())));
            onLayer.accept(i);
        }
        return new ModelWeights(embedding, outputNorm, output, layers);
    }

    /** Looks tensors up by name and checks their shapes. */
    private record Loader(GgufFile gguf, ComputeBackend backend) {
        Weight matrix(String name, long rows, long cols) {
            WeightView view = gguf.weight(name);
            if (view.rows() != rows || view.cols() != cols) {
                throw new IllegalArgumentException("%s: tensor %s has shape [%d, %d], expected [%d, %d]"
                        .formatted(gguf.path(), name, view.rows(), view.cols(), rows, cols));
            }
            return backend.load(view);
        }

        Weight vector(String name, long length) {
            return matrix(name, 1, length);
        }
    }
}
