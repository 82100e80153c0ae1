package io.jserve.engine;

import io.jserve.engine.model.ModelConfig;
import io.jserve.kernels.DeviceMemory;
import io.jserve.kernels.KvCacheShape;

import java.util.Optional;

/**
 * How many KV blocks the pool gets: as many as asked for; or as many as {@code kvCacheMemory} bytes hold; or, on a
 * device, what is left of {@code gpuMemoryUtilization} of its memory once the weights are loaded and the step's
 * activations are reserved (vLLM's rule); or on the host enough for every batch slot to reach the full context,
 * capped at {@link #DEFAULT_BUDGET} bytes. Never less than one full-length sequence.
 */
final class KvPoolSizing {
    /** Default KV budget on the host: 2 GiB. */
    static final long DEFAULT_BUDGET = 2L << 30;

    private KvPoolSizing() {
    }

    static KvCacheShape shape(EngineConfig config, ModelConfig model, int maxModelLen, Optional<DeviceMemory> device,
                              int bytesPerValue) {
        int blockSize = config.blockSize();
        long bytesPerBlock = 2L * model.numLayers() * blockSize * model.kvDim() * bytesPerValue;
        int blocksPerSequence = (maxModelLen + blockSize - 1) / blockSize;
        long blocks;
        if (config.numKvBlocks() > 0) {
            blocks = config.numKvBlocks();
        } else if (config.kvCacheMemory() > 0) {
            blocks = config.kvCacheMemory() / bytesPerBlock;
            if (blocks < 1) {
                throw new IllegalArgumentException("kv-cache-memory %d bytes is less than one block (%d bytes)"
                        .formatted(config.kvCacheMemory(), bytesPerBlock));
            }
        } else if (device.isPresent()) {
            DeviceMemory memory = device.get();
            long reserved = (long) (memory.totalBytes() * (1 - config.gpuMemoryUtilization()));
            long budget = memory.freeBytes() - reserved - activationBytes(config, model);
            blocks = budget / bytesPerBlock;
            if (blocks < blocksPerSequence) {
                throw new IllegalArgumentException(("only %d MiB of device memory are left for the KV cache at "
                        + "gpu-memory-utilization %.2f: not enough for one %d-token sequence; raise it or lower "
                        + "max-model-len").formatted(Math.max(0, budget) >> 20, config.gpuMemoryUtilization(),
                        maxModelLen));
            }
        } else {
            long wanted = (long) blocksPerSequence * config.maxNumSeqs();
            blocks = Math.max(blocksPerSequence, Math.min(wanted, DEFAULT_BUDGET / bytesPerBlock));
        }
        if (blocks > Integer.MAX_VALUE / blockSize) {
            blocks = Integer.MAX_VALUE / blockSize;
        }
        return new KvCacheShape(model.numLayers(), (int) blocks, blockSize, model.numKvHeads(), model.headDim());
    }

    /** Bytes of the model's activation buffers (see LlamaModel) for the largest step, plus 10 % headroom. */
    static long activationBytes(EngineConfig config, ModelConfig m) {
        long tokens = config.maxNumBatchedTokens();
        long sampled = Math.min(config.maxNumSeqs(), config.maxNumBatchedTokens());
        long perToken = 2L * m.dim() + 2L * m.qDim() + 2L * m.kvDim() + 2L * m.ffnDim();
        long floats = tokens * perToken + sampled * ((long) m.dim() + m.vocabSize());
        return floats * Float.BYTES * 11 / 10;
    }
}
