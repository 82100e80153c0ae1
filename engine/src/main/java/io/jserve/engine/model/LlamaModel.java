package io.jserve.engine.model;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Llama forward pass over one step of many sequences (decode tokens and prefill chunks together),
 * written once against {@link ComputeBackend}. Every weight matrix is read once per step and multiplied
 * against the whole {@code [tokens, dim]} activation block; attention reads K and V through the paged cache.
 *
 * <p>The other architectures are the same pass with a few named steps switched on: by the weights the file has
 * (Qwen2's q/k/v biases, Qwen3's and Gemma-3's per-head q/k norms, Gemma's post-attention and post-feed-forward
 * norms; Phi-3's fused projections are split at load) and by {@link ArchitectureFeatures} (Gemma's embedding
 * scale, GELU, attention and final soft-caps, sliding-window layers with their own RoPE base).
 *
 * <p>Activation buffers are reused by every step (a step works on {@link Tensor#head(int)} views): the
 * per-token ones grow with the largest step seen, up to {@code maxTokens}, and the logit rows with the most
 * rows sampled at once, up to {@code maxSampled}. Not thread-safe: the engine thread owns it.
 */
public final class LlamaModel {
    private final ModelConfig config;
    private final ModelWeights weights;
    private final ComputeBackend backend;
    private final RopeConfig[] ropes;           // per layer
    private final AttentionConfig[] attentions; // per layer
    private final List<List<Weight>> qkvWeights; // per layer: wq, wk, wv, multiplied as a group
    private static final int INITIAL_CAPACITY = 64;
    private final int maxTokens;
    private final int maxSampled;

    private int capacity;         // tokens the buffers below hold: grows to the largest step seen, up to maxTokens
    private Tensor x;             // [capacity, dim]    residual stream
    private Tensor xb;            // [capacity, dim]    normed input / block output
    private Tensor q;             // [capacity, qDim]
    private Tensor k;             // [capacity, kvDim]
    private Tensor v;             // [capacity, kvDim]
    private Tensor att;           // [capacity, qDim]   attention output
    private Tensor gate;          // [capacity, ffnDim]
    private Tensor up;            // [capacity, ffnDim]
    private int sampledCapacity;  // logit rows the two buffers below hold: grow like the per-token ones
    private Tensor last;          // [sampledCapacity, dim]   final hidden state of sampled rows
    private Tensor logits;        // [sampledCapacity, vocab]

    public LlamaModel(ModelConfig config, ModelWeights weights, ComputeBackend backend, int maxTokens, int maxSampled) {
        this.config = Objects.requireNonNull(config, "config");
        this.weights = Objects.requireNonNull(weights, "weights");
        this.backend = Objects.requireNonNull(backend, "backend");
        if (maxTokens <= 0 || maxSampled <= 0 || maxSampled > maxTokens) {
            throw new IllegalArgumentException("need 0 < maxSampled <= maxTokens, got %d, %d".formatted(maxSampled, maxTokens));
        }
        this.maxTokens = maxTokens;
        this.maxSampled = maxSampled;
        this.ropes = new RopeConfig[config.numLayers()];
        this.attentions = new AttentionConfig[config.numLayers()];
        List<List<Weight>> qkv = new ArrayList<>();
        for (int l = 0; l < config.numLayers(); l++) {
            ropes[l] = config.rope(l);
            attentions[l] = config.attention(l);
            LayerWeights w = weights.layers().get(l);
            qkv.add(List.of(w.wq(), w.wk(), w.wv()));
        }
        this.qkvWeights = List.copyOf(qkv);
        ensureCapacity(Math.min(maxTokens, INITIAL_CAPACITY));
        ensureSampledCapacity(Math.min(maxSampled, INITIAL_CAPACITY / 8));
    }

    /**
     * Makes the per-token buffers hold at least {@code n} tokens. They start small and double as larger steps
     * come, so a server that only decodes never pays for a 2,048-token prefill's activations (on the CPU they
     * are resident memory); the old buffers go back to the backend.
     */
    private void ensureCapacity(int n) {
        if (n <= capacity) {
            return;
        }
        int size = Math.min(maxTokens, Math.max(n, 2 * capacity));
        for (Tensor old : new Tensor[] {x, xb, q, k, v, att, gate, up}) {
            if (old != null) {
                backend.release(old);
            }
        }
        x = backend.allocate(size, config.dim());
        xb = backend.allocate(size, config.dim());
        q = backend.allocate(size, config.qDim());
        k = backend.allocate(size, config.kvDim());
        v = backend.allocate(size, config.kvDim());
        att = backend.allocate(size, config.qDim());
        gate = backend.allocate(size, config.ffnDim());
        up = backend.allocate(size, config.ffnDim());
        capacity = size;
    }

    private void ensureSampledCapacity(int n) {
        if (n <= sampledCapacity) {
            return;
        }
        int size = Math.min(maxSampled, Math.max(n, 2 * sampledCapacity));
        if (last != null) {
            backend.release(last);
            backend.release(logits);
        }
        last = backend.allocate(size, config.dim());
        logits = backend.allocate(size, config.vocabSize());
        sampledCapacity = size;
    }

    public ModelConfig config() {
        return config;
    }

    public int maxTokens() {
        return maxTokens;
    }

    public int maxSampled() {
        return maxSampled;
    }

    /**
     * Runs one step and returns the logits of the rows in {@code sampleRows}: a view of a buffer of the backend,
     * {@code [sampleRows.length, vocabSize]}, valid until the next call.
     */
    public Tensor forward(StepInputs step, int[] sampleRows, KvCacheStorage kv) {
        int n = step.numTokens();
        if (n > maxTokens || sampleRows.length > maxSampled) {
            throw new IllegalArgumentException("step of %d tokens / %d sampled rows exceeds the buffers (%d / %d)"
                    .formatted(n, sampleRows.length, maxTokens, maxSampled));
        }
        ensureCapacity(n);
        Tensor x = this.x.head(n), xb = this.xb.head(n);
        Tensor q = this.q.head(n), k = this.k.head(n), v = this.v.head(n), att = this.att.head(n);
        Tensor gate = this.gate.head(n), up = this.up.head(n);

        ArchitectureFeatures f = config.features();
        float eps = config.rmsEps();
        backend.embed(weights.tokenEmbedding(), step, x);
        if (f.embeddingScale() != 1f) {
            backend.scale(x, f.embeddingScale(), x);
        }
        int layers = config.numLayers();
        backend.rmsNorm(x, weights.layers().get(0).attnNorm(), eps, xb);
        for (int l = 0; l < layers; l++) {
            LayerWeights w = weights.layers().get(l);
            // attention: x += [postNorm] wo . attn(rope([qkNorm] (wq . norm(x) [+ bq])), k alike, wv . norm(x) [+ bv])
            // (xb = norm(x) already: the previous layer's residual step, or the line above the loop)
            backend.matmulGroup(qkvWeights.get(l), xb, List.of(q, k, v));
            if (w.qBias() != null) {
                backend.addRow(q, w.qBias(), q);
            }
            if (w.kBias() != null) {
                backend.addRow(k, w.kBias(), k);
            }
            if (w.vBias() != null) {
                backend.addRow(v, w.vBias(), v);
            }
            if (w.qNorm() != null) { // per head: [tokens, heads * headDim] seen as [tokens * heads, headDim]
                Tensor qh = q.reshape(n * config.numHeads(), config.headDim());
                Tensor kh = k.reshape(n * config.numKvHeads(), config.headDim());
                backend.rmsNorm(qh, w.qNorm(), eps, qh);
                backend.rmsNorm(kh, w.kNorm(), eps, kh);
            }
            backend.ropeAndStoreKv(q, k, v, config.numHeads(), config.numKvHeads(), config.headDim(), ropes[l], kv, l,
                    step);
            backend.attention(kv, l, q, step, attentions[l], att);
            backend.matmul(w.wo(), att, xb);
            if (w.postAttnNorm() != null) {
                backend.rmsNorm(xb, w.postAttnNorm(), eps, xb);
            }
            // feed-forward: x += [postNorm] down . (act(gate . norm(x)) * (up . norm(x))), act = SiLU or GELU
            backend.addRmsNorm(x, xb, w.ffnNorm(), eps, xb);
            backend.matmul(w.ffnGate(), xb, gate);
            backend.matmul(w.ffnUp(), xb, up);
            switch (f.activation()) {
                case SILU -> backend.siluMul(gate, up, gate);
                case GELU -> backend.geluMul(gate, up, gate);
            }
            backend.matmul(w.ffnDown(), gate, xb);
            if (w.postFfnNorm() != null) {
                backend.rmsNorm(xb, w.postFfnNorm(), eps, xb);
            }
            if (l + 1 < layers) {
                backend.addRmsNorm(x, xb, weights.layers().get(l + 1).attnNorm(), eps, xb);
            } else {
                backend.add(x, xb, x);
            }
        }
        // logits only for the rows that are sampled
        int s = sampleRows.length;
        ensureSampledCapacity(s);
        Tensor last = this.last.head(s), logits = this.logits.head(s);
        backend.gatherRows(x, sampleRows, last);
        backend.rmsNorm(last, weights.outputNorm(), eps, last);
        backend.matmul(weights.output(), last, logits);
        if (f.finalSoftcap() > 0) {
            backend.softcap(logits, f.finalSoftcap(), logits);
        }
        return logits;
    }
}
