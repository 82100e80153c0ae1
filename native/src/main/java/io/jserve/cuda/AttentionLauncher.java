package io.jserve.cuda;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.RopeConfig;
import jcuda.driver.CUdeviceptr;

/**
 * Validates and queues the KV store and paged attention kernels (store_kv in elementwise.cu, attention.cu).
 * Block ids and slots are checked on the host against the pool, so a bad table fails here with a message
 * instead of corrupting device memory.
 *
 * <p>Attention runs split over key ranges (see attention.cu): grid = (KV heads x query-head groups of 4, tokens,
 * splits), then attention_combine merges the splits. Steps with more than {@link #TOKEN_CHUNK} tokens run in
 * chunks, which bounds the split partials to {@code 256 x heads x 16 x (headDim + 2)} floats; a token's result
 * does not depend on its chunk. The sliding window and the score soft-cap of the {@link AttentionConfig} are
 * applied in the kernel.
 */
final class AttentionLauncher {
    /** Mirrors attention.cu. */
    static final int MAX_SPLITS = 16;
    static final int MIN_SPLIT = 128;
    private static final int GROUP = 4;
    private static final int TOKEN_CHUNK = 256;

    private final CudaContext cuda;
    private final DeviceScratch partials;

    AttentionLauncher(CudaContext cuda) {
        this.cuda = cuda;
        this.partials = new DeviceScratch(cuda);
    }

    void storeKv(DeviceKvCache cache, int layer, DeviceTensor k, DeviceTensor v, DeviceStepInputs s) {
        int kvDim = checkStore(cache, k, v, s);
        String kernel = cache.precision() == DeviceKvCache.Precision.F16 ? "store_kv_f16" : "store_kv_f32";
        cuda.launch(kernel, s.numTokens(), 1, CudaBackend.threadsFor(kvDim), k.ptr(), v.ptr(), cache.keys(layer),
                cache.values(layer), s.slotMapping(), kvDim, cache.shape().headDim(), cache.shape().numSlots());
    }

    /**
     * rope on q ({@code numHeads} heads) and k, then storeKv, in one launch ({@code rope_store_kv_*} in
     * elementwise.cu); {@code frequencies} holds the rope's inverse frequencies on the device. The backend has
     * checked the rope shapes.
     */
    void ropeAndStoreKv(DeviceKvCache cache, int layer, DeviceTensor q, int numHeads, DeviceTensor k, DeviceTensor v,
                        RopeConfig rope, CUdeviceptr frequencies, DeviceStepInputs s) {
        int kvDim = checkStore(cache, k, v, s);
        int headDim = cache.shape().headDim();
        String kernel = cache.precision() == DeviceKvCache.Precision.F16 ? "rope_store_kv_f16" : "rope_store_kv_f32";
        int threads = CudaBackend.threadsFor(Math.max(numHeads * rope.ropeDim() / 2, kvDim));
        cuda.launch(kernel, s.numTokens(), 1, threads, q.ptr(), numHeads, k.ptr(), v.ptr(), cache.shape().numKvHeads(),
                headDim, rope.ropeDim(), rope.neox() ? 1 : 0, frequencies, s.positions(), rope.magnitudeScale(),
                cache.keys(layer), cache.values(layer), s.slotMapping(), cache.shape().numSlots());
    }

    /** Checks a KV store's shapes and slots; returns the KV width. */
    private static int checkStore(DeviceKvCache cache, DeviceTensor k, DeviceTensor v, DeviceStepInputs s) {
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
        return kvDim;
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
        String width = d <= 32 ? "d32" : d <= 64 ? "d64" : d <= 128 ? "d128" : d <= 256 ? "d256" : null;
        if (width == null) {
            throw new UnsupportedOperationException("the cuda attention kernel takes head dims up to 256, got " + d);
        }
        String kernel = "attention_" + (cache.precision() == DeviceKvCache.Precision.F16 ? "f16_" : "f32_") + width;
        int heads = config.numHeads();
        int groups = heads / config.numKvHeads();
        int gridX = config.numKvHeads() * ((groups + GROUP - 1) / GROUP);
        int maxContext = 0;
        for (int c : m.contextLens()) {
            maxContext = Math.max(maxContext, c);
        }
        // a sliding window bounds the keys any token sees, and so its splits (attention.cu cuts the visible range)
        int splits = maxSplits(config.slidingWindow() > 0 ? Math.min(maxContext, config.slidingWindow()) : maxContext);
        int tokens = s.numTokens();
        int chunk = Math.min(tokens, TOKEN_CHUNK);
        long entries = (long) chunk * heads * MAX_SPLITS;
        CUdeviceptr part = partials.get(entries * (d + 2) * Float.BYTES);
        CUdeviceptr partM = part;
        CUdeviceptr partL = part.withByteOffset(entries * Float.BYTES);
        CUdeviceptr partAcc = part.withByteOffset(2 * entries * Float.BYTES);
        for (int t0 = 0; t0 < tokens; t0 += chunk) {
            int n = Math.min(chunk, tokens - t0);
            cuda.launch3(kernel, gridX, n, splits, 128, q.ptr(), out.ptr(), partM, partL, partAcc, cache.keys(layer),
                    cache.values(layer), s.tokenSeq(), s.queryStarts(), s.contextLens(), s.blockTables(),
                    s.blockTableStride(), m.blockSize(), heads, config.numKvHeads(), d, config.scale(), t0,
                    shape.numSlots(), config.softcap(), config.slidingWindow());
            if (splits > 1) {
                cuda.launch("attention_combine", heads, n, Math.min(128, CudaBackend.threadsFor(d)), out.ptr(), partM,
                        partL, partAcc, s.tokenSeq(), s.queryStarts(), s.contextLens(), heads, d, t0,
                        config.slidingWindow());
            }
        }
    }

    /**
     * An upper bound of the splits of any token that sees at most {@code maxContext} keys: attention.cu splits a
     * context of c keys into ceil(c / max(128, roundUp(ceil(c / 16), 32))) ranges, never more than 16 or
     * ceil(c / 128).
     */
    static int maxSplits(int maxContext) {
        return Math.max(1, Math.min(MAX_SPLITS, (maxContext + MIN_SPLIT - 1) / MIN_SPLIT));
    }
}
