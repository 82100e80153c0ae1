package io.jserve.engine.model;

import io.jserve.engine.gguf.GgufFile;
import io.jserve.engine.runner.Backends;
import io.jserve.engine.runner.ForwardBatchBuilder;
import io.jserve.engine.runner.ModelRunner;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Runs one sequence through a model below the engine (no scheduler): the prompt as one prefill chunk, then one
 * token per step, over a paged KV cache whose blocks are handed out in reverse order so that block tables are
 * not the identity.
 */
final class GreedyHarness implements AutoCloseable {
    static final int BLOCK_SIZE = 16;
    private final GgufFile gguf;
    private final ComputeBackend backend;
    private final ModelConfig config;
    private final ModelRunner runner;
    private final KvCacheStorage kv;
    private final int numBlocks;

    GreedyHarness(Path model, String backendName, int maxLen) {
        gguf = GgufFile.open(model);
        config = ModelConfig.from(gguf);
        backend = Backends.select(backendName).backend();
        ModelWeights weights = ModelWeights.load(gguf, config, backend, layer -> { });
        numBlocks = (maxLen + BLOCK_SIZE - 1) / BLOCK_SIZE;
        kv = backend.allocateKvCache(new KvCacheShape(config.numLayers(), numBlocks, BLOCK_SIZE,
                config.numKvHeads(), config.headDim()));
        runner = new ModelRunner(new LlamaModel(config, weights, backend, maxLen, 1), backend, kv);
    }

    ComputeBackend backend() {
        return backend;
    }

    ModelConfig config() {
        return config;
    }

    /** Reverse block ids: position p lives in block numBlocks - 1 - p / BLOCK_SIZE. */
    private int[] blocks() {
        int[] ids = new int[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            ids[i] = numBlocks - 1 - i;
        }
        return ids;
    }

    /**
     * Feeds {@code forced} (prompt followed by tokens to teacher-force, may be just the prompt) and returns the
     * logits after each of the last {@code steps} positions; when {@code greedy}, tokens past the forced ones
     * are the argmax.
     */
    float[][] run(int[] prompt, int steps, int[] forcedContinuation) {
        int[] tokens = Arrays.copyOf(prompt, prompt.length + steps);
        float[][] logits = new float[steps][];
        ForwardBatchBuilder builder = new ForwardBatchBuilder(BLOCK_SIZE);
        int computed = 0;
        int known = prompt.length;
        for (int step = 0; step < steps; step++) {
            builder.reset();
            builder.add(Arrays.copyOfRange(tokens, computed, known), computed, blocks(), true);
            logits[step] = runner.run(builder.build()).all().clone(); // the runner reuses its array
            computed = known;
            int next = forcedContinuation != null && step < forcedContinuation.length
                    ? forcedContinuation[step] : argmax(logits[step]);
            tokens[known++] = next;
        }
        return logits;
    }

    /**
     * Feeds {@code tokens} from position 0 in chunks of {@code chunk} tokens (one step each, the KV cache carried
     * over) and returns the logits after the last token.
     */
    float[] prefillInChunks(int[] tokens, int chunk) {
        ForwardBatchBuilder builder = new ForwardBatchBuilder(BLOCK_SIZE);
        float[] logits = null;
        for (int start = 0; start < tokens.length; start += chunk) {
            int end = Math.min(tokens.length, start + chunk);
            builder.reset();
            builder.add(Arrays.copyOfRange(tokens, start, end), start, blocks(), true);
            logits = runner.run(builder.build()).all().clone();
        }
        return logits;
    }

    static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] p = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    @Override
    public void close() {
        kv.close();
        backend.close();
        gguf.close();
    }
}
