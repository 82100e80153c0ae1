package io.jserve.engine.runner;

import io.jserve.engine.model.LlamaModel;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.StepInputs;

import java.util.Objects;

/**
 * Turns a {@link ForwardBatch} into logits: hands the step's inputs to the backend, runs the model over the
 * paged KV pool, and hands back the logits of the sampled rows where the backend left them. Owns nothing but references; the engine thread
 * owns it.
 */
public final class ModelRunner {
    private final LlamaModel model;
    private final ComputeBackend backend;
    private final KvCacheStorage kvCache;
    private final StepLogits logits;

    public ModelRunner(LlamaModel model, ComputeBackend backend, KvCacheStorage kvCache) {
        this.model = Objects.requireNonNull(model, "model");
        this.backend = Objects.requireNonNull(backend, "backend");
        this.kvCache = Objects.requireNonNull(kvCache, "kvCache");
        this.logits = new StepLogits(backend);
    }

    /** Runs the step; returns the logits of {@code batch.sampleRows()}, valid until the next call. */
    public StepLogits run(ForwardBatch batch) {
        StepInputs step = backend.prepareStep(batch.tokenIds(), batch.metadata());
        logits.set(model.forward(step, batch.sampleRows(), kvCache));
        return logits;
    }

    public ComputeBackend backend() {
        return backend;
    }

    public LlamaModel model() {
        return model;
    }
}
