package io.jserve.cuda;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.KvCacheShape;

/**
 * Validates and queues the KV store and paged attention kernels (store_kv in elementwise.cu, attention.cu).
 * Block ids and slots are checked on the host against the pool, so a bad table fails here with a message
 * instead of corrupting device memory.
 */
final class AttentionLauncher {
    private final CudaContext cuda;

    AttentionLauncher(CudaContext cuda) {
        this.cuda = cuda;
    }

    void storeKv(DeviceKvCache cache, int layer, DeviceTensor k, DeviceTensor v, DeviceStepInputs s) {
        int kvDim = cache.shape().kvDim();
        CudaBackend.requireSameShape(k, v, "storeKv");
        if (k.rows() != s.numTokens() || k.cols() != kvDim) {
            throw new IllegalArgumentException("storeKv of [%d, %d] for %d tokens of KV width %d"
                    .formatted(k.rows(), k.cols(), s.numTokens(), kvDim));
        }
        for (int slot : s.metadata().slotMapping()) {
            if (slot >= cache.shape().numSlots()) {
                throw new IllegalArgumentException(
                        "slot %d outside a pool of %d".formatted(slot, cache.shape().numSlots()));
            }
        }
        cuda.launch("store_kv", s.numTokens(), 1, CudaBackend.threadsFor(kvDim), k.ptr(), v.ptr(), cache.keys(layer),
                cache.values(layer), s.slotMapping(), kvDim);
    }

    void attention(DeviceKvCache cache, int layer, DeviceTensor q, DeviceStepInputs s, AttentionConfig config,
                   DeviceTensor out) {
        AttentionMetadata m = s.metadata();
        CudaBackend.requireSameShape(q, out, "attention");
        KvCacheShape shape = cache.shape();
        if (q.rows() != s.numTokens() || q.cols() != config.numHeads() * config.headDim()
                || config.numKvHeads() != shape.numKvHeads() || config.headDim() != shape.headDim()
                || m.blockSize() != shape.blockSize()) {
            throw new IllegalArgumentException("attention %s on q [%d, %d] over a KV cache %s with block size %d"
                    .formatted(config, q.rows(), q.cols(), shape, m.blockSize()));
        }
        if (DeviceTensor.sameMemory(q, out)) {
            throw new IllegalArgumentException("attention output must not alias q");
        }
        for (int b : m.blockTables()) {
            if (b >= shape.numBlocks()) {
                throw new IllegalArgumentException("block id %d outside a pool of %d".formatted(b, shape.numBlocks()));
            }
        }
        int d = config.headDim();
        String kernel = d <= 32 ? "attention_d32" : d <= 64 ? "attention_d64" : d <= 128 ? "attention_d128"
                : d <= 256 ? "attention_d256" : null;
        if (kernel == null) {
            throw new UnsupportedOperationException("the cuda attention kernel takes head dims up to 256, got " + d);
        }
        cuda.launch(kernel, config.numHeads(), s.numTokens(), 128, q.ptr(), out.ptr(), cache.keys(layer),
                cache.values(layer), s.tokenSeq(), s.queryStarts(), s.contextLens(), s.blockTables(),
                m.blockTableStride(), m.blockSize(), config.numHeads(), config.numKvHeads(), d, config.scale());
    }
}
