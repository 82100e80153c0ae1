package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * All weights of a Llama-family model, loaded into one backend, with their shapes checked against the
 * {@link ModelConfig} so that a wrong file fails at load with the tensor's name, not inside a kernel.
 *
 * <p>Architectures differ here only by which tensors the file has: biases ({@code attn_q.bias}...), per-head
 * q/k norms, Gemma's post norms, and Phi-3's fused projections, which are split into row ranges of the mapped
 * tensor (no copy): {@code attn_qkv} rows Q, then K, then V; {@code ffn_up} of {@code 2 * ffnDim} rows with no
 * {@code ffn_gate}: the gate first, then the up projection.
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
        int dim = config.dim();
        Weight embedding = loader.matrix("token_embd.weight", config.vocabSize(), dim);
        Weight outputNorm = loader.vector("output_norm.weight", dim);
        Weight output = loader.has("output.weight")
                ? loader.matrix("output.weight", config.vocabSize(), dim)
                : embedding; // tied
        List<LayerWeights> layers = new ArrayList<>(config.numLayers());
        for (int i = 0; i < config.numLayers(); i++) {
            layers.add(layer(loader, config, "blk." + i + "."));
            onLayer.accept(i);
        }
        return new ModelWeights(embedding, outputNorm, output, layers);
    }

    private static LayerWeights layer(Loader l, ModelConfig c, String p) {
        int dim = c.dim();
        int q = c.qDim();
        int kv = c.kvDim();
        int ffn = c.ffnDim();
        List<WeightView> qkvViews;
        if (l.has(p + "attn_qkv.weight")) {
            WeightView qkv = l.view(p + "attn_qkv.weight", q + 2L * kv, dim);
            qkvViews = List.of(Loader.rows(qkv, "q", 0, q), Loader.rows(qkv, "k", q, kv),
                    Loader.rows(qkv, "v", q + kv, kv));
        } else {
            qkvViews = List.of(l.view(p + "attn_q.weight", q, dim), l.view(p + "attn_k.weight", kv, dim),
                    l.view(p + "attn_v.weight", kv, dim));
        }
        List<Weight> qkv = l.group(qkvViews); // multiplied together when the backend gains from it
        Weight wq = qkv.get(0);
        Weight wk = qkv.get(1);
        Weight wv = qkv.get(2);
        Weight gate;
        Weight up;
        if (l.has(p + "ffn_gate.weight")) {
            gate = l.matrix(p + "ffn_gate.weight", ffn, dim);
            up = l.matrix(p + "ffn_up.weight", ffn, dim);
        } else {
            WeightView gateUp = l.view(p + "ffn_up.weight", 2L * ffn, dim);
            gate = l.load(Loader.rows(gateUp, "gate", 0, ffn));
            up = l.load(Loader.rows(gateUp, "up", ffn, ffn));
        }
        boolean qkNorm = l.has(p + "attn_q_norm.weight");
        return new LayerWeights(
                l.vector(p + "attn_norm.weight", dim), wq, wk, wv,
                l.matrix(p + "attn_output.weight", dim, q),
                l.vector(p + "ffn_norm.weight", dim), gate, up,
                l.matrix(p + "ffn_down.weight", dim, ffn),
                l.optionalRow(p + "attn_q.bias", q),
                l.optionalRow(p + "attn_k.bias", kv),
                l.optionalRow(p + "attn_v.bias", kv),
                qkNorm ? l.vector(p + "attn_q_norm.weight", c.headDim()) : null,
                qkNorm ? l.vector(p + "attn_k_norm.weight", c.headDim()) : null,
                l.has(p + "post_attention_norm.weight") ? l.vector(p + "post_attention_norm.weight", dim) : null,
                l.has(p + "post_ffw_norm.weight") ? l.vector(p + "post_ffw_norm.weight", dim) : null);
    }

    /** Looks tensors up by name, checks their shapes, and names the tensor when a backend cannot take it. */
    private record Loader(GgufFile gguf, ComputeBackend backend) {
        boolean has(String name) {
            return gguf.tensor(name).isPresent();
        }

        WeightView view(String name, long rows, long cols) {
            WeightView view = gguf.weight(name);
            if (view.rows() != rows || view.cols() != cols) {
                throw new IllegalArgumentException("%s: tensor %s has shape [%d, %d], expected [%d, %d]"
                        .formatted(gguf.path(), name, view.rows(), view.cols(), rows, cols));
            }
            return view;
        }

        Weight matrix(String name, long rows, long cols) {
            return load(view(name, rows, cols));
        }

        Weight vector(String name, long length) {
            return matrix(name, 1, length);
        }

        /** Rows {@code [first, first + count)} of a fused tensor, as a view of their own (same mapped bytes). */
        static WeightView rows(WeightView fused, String part, long first, long count) {
            return new WeightView(fused.name() + "[" + part + "]", fused.type(), count, fused.cols(),
                    fused.data().asSlice(first * fused.rowBytes(), count * fused.rowBytes()));
        }

        /** Weights multiplied with the same input, loaded as a group ({@link ComputeBackend#loadGroup}). */
        List<Weight> group(List<WeightView> views) {
            views.forEach(this::format);
            try {
                return backend.loadGroup(views);
            } catch (UnsupportedOperationException e) {
                String what = "%s: tensors %s have type %s, which the %s backend does not support: %s";
                throw new IllegalArgumentException(what.formatted(gguf.path(),
                        views.stream().map(WeightView::name).toList(), views.getFirst().type(), backend.name(),
                        e.getMessage()), e);
            }
        }

        /** A bias vector uploaded as a {@code [1, length]} activation row, or null when the file has none. */
        Tensor optionalRow(String name, int length) {
            if (!has(name)) {
                return null;
            }
            WeightView v = view(name, 1, length);
            float[] values = format(v).dequantize(v.data(), 0, length);
            Tensor row = backend.allocate(1, length);
            backend.upload(values, row);
            return row;
        }

        private Weight load(WeightView view) {
            format(view);
            try {
                return backend.load(view);
            } catch (UnsupportedOperationException e) {
                String what = "%s: tensor %s has type %s, which the %s backend does not support: %s";
                throw new IllegalArgumentException(what.formatted(gguf.path(), view.name(), view.type(),
                        backend.name(), e.getMessage()), e);
            }
        }

        /** Every weight's type must have a format (the host decoder); fails naming the tensor and its type. */
        private WeightFormat format(WeightView view) {
            if (!WeightFormat.isSupported(view.type())) {
                throw new IllegalArgumentException("%s: tensor %s has type %s, which is not supported"
                        .formatted(gguf.path(), view.name(), view.type()));
            }
            return WeightFormat.of(view.type());
        }
    }
}
