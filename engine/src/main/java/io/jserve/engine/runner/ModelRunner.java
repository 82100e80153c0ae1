package io.jserve.engine.runner;

import io.jserve.engine.model.LlamaModel;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.StepInputs;

import java.util.Objects;

/**
 * Turns a {@link ForwardBatch} into logits: hands the step's inputs to the backend, runs the model over the
 * paged KV pool, and returns the logits of the sampled rows. Owns nothing but references; the engine thread
 * owns it.
 */
public final class ModelRunner {
    private final LlamaModel model;
    private final ComputeBackend backend;
    private final KvCacheStorage kvCache;

    public ModelRunner(LlamaModel model, ComputeBackend backend, KvCacheStorage kvCache) {
        this.model = Objects.requireNonNull(model, "model");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.kvCache = Objects.requireNonNull(kvCache, "kvCache");
    }

    /** Logits of {@code batch.sampleRows()}, row after row ({@code vocabSize} values each). */
    public float[] run(ForwardBatch batch) {
        StepInputs step = backend.prepareStep(batch.tokenIds(), batch.metadata());
        return model.forward(step, batch.sampleRows(), kvCache);
    }

    public ComputeBackend backend() {
        return backend;
    }

    public LlamaModel model() {
        return model;
    }
}
