package io.jserve.engine;

import io.jserve.engine.model.ModelConfig;
import io.jserve.kernels.KvCacheShape;

/**
 * How many KV blocks the pool gets: as many as asked for; or as many as {@code kvCacheMemory} bytes hold; or,
 * by default, enough for every batch slot to reach the full context, capped at {@link #DEFAULT_BUDGET} bytes
 * but never less than one full-length sequence.
 */
final class KvPoolSizing {
    /** Default KV budget on the host: 2 GiB. */
    static final long DEFAULT_BUDGET = 2L << 30;

    private KvPoolSizing() {
    }

    static KvCacheShape shape(EngineConfig config, ModelConfig model, int maxModelLen) {
        int blockSize = config.blockSize();
        long bytesPerBlock = 2L * model.numLayers() * blockSize * model.kvDim() * Float.BYTES;
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
        } else {
            long wanted = (long) blocksPerSequence * config.maxNumSeqs();
            blocks = Math.max(blocksPerSequence, Math.min(wanted, DEFAULT_BUDGET / bytesPerBlock));
        }
        if (blocks > Integer.MAX_VALUE / blockSize) {
            throw new IllegalArgumentException("KV pool of %d blocks is too large".formatted(blocks));
        }
        return new KvCacheShape(model.numLayers(), (int) blocks, blockSize, model.numKvHeads(), model.headDim());
    }
}
