package io.jserve.engine;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything needed to start an {@link Engine}. Zero means "derive it" where noted. Validated here so that a
 * bad value stops the start with one clear message.
 *
 * @param modelPath             the GGUF file
 * @param backend               {@code auto}, {@code cpu}, {@code cuda} or {@code reference}
 * @param maxNumSeqs            batch slots: most sequences running at once
 * @param maxNumBatchedTokens   token budget of one step (prefill chunks and decodes together)
 * @param blockSize             tokens per KV block
 * @param numKvBlocks           KV blocks in the pool; 0 derives it from {@code kvCacheMemory} or a default
 * @param kvCacheMemory         bytes for the KV pool; 0 derives it (see {@code numKvBlocks})
 * @param maxModelLen           longest sequence (prompt + output); 0 takes the model's context length
 * @param maxNumQueuedRequests  bound of the waiting queue; beyond it submissions are refused
 * @param enablePrefixCaching   reuse KV blocks of identical prompt prefixes
 * @param seed                  seed for requests that give none; null draws one per request
 * @param gpuMemoryUtilization  fraction of GPU memory the CUDA backend may take (weights, activations, KV pool)
 */
public record EngineConfig(Path modelPath, String backend, int maxNumSeqs, int maxNumBatchedTokens, int blockSize,
                           int numKvBlocks, long kvCacheMemory, int maxModelLen, int maxNumQueuedRequests,
                           boolean enablePrefixCaching, Long seed, double gpuMemoryUtilization) {

    public static final int DEFAULT_MAX_NUM_SEQS = 256;
    public static final int DEFAULT_MAX_NUM_BATCHED_TOKENS = 2048;
    public static final int DEFAULT_BLOCK_SIZE = 16;
    public static final int DEFAULT_MAX_NUM_QUEUED_REQUESTS = 1024;

    public EngineConfig {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(backend, "backend");
        require(switch (backend) {
            case "auto", "cpu", "cuda", "reference" -> true;
            default -> false;
        }, "backend must be auto, cpu, cuda or reference, got '" + backend + "'");
        require(maxNumSeqs >= 1, "max-num-seqs must be at least 1, got " + maxNumSeqs);
        require(maxNumBatchedTokens >= 1, "max-num-batched-tokens must be at least 1, got " + maxNumBatchedTokens);
        require(blockSize >= 1 && blockSize <= 1024 && Integer.bitCount(blockSize) == 1,
                "block-size must be a power of two in [1, 1024], got " + blockSize);
        require(numKvBlocks >= 0, "num-kv-blocks must not be negative, got " + numKvBlocks);
        require(kvCacheMemory >= 0, "kv-cache-memory must not be negative, got " + kvCacheMemory);
        require(numKvBlocks == 0 || kvCacheMemory == 0, "give num-kv-blocks or kv-cache-memory, not both");
        require(maxModelLen >= 0, "max-model-len must not be negative, got " + maxModelLen);
        require(maxNumQueuedRequests >= 1, "max-num-queued-requests must be at least 1, got " + maxNumQueuedRequests);
        require(gpuMemoryUtilization > 0 && gpuMemoryUtilization <= 1,
                "gpu-memory-utilization must be in (0, 1], got " + gpuMemoryUtilization);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults for everything but the model path. */
    public static EngineConfig defaults(Path modelPath) {
        return new EngineConfig(modelPath, "auto", DEFAULT_MAX_NUM_SEQS, DEFAULT_MAX_NUM_BATCHED_TOKENS,
                DEFAULT_BLOCK_SIZE, 0, 0, 0, DEFAULT_MAX_NUM_QUEUED_REQUESTS, true, null, 0.9);
    }

    public EngineConfig withBackend(String newBackend) {
        return new EngineConfig(modelPath, newBackend, maxNumSeqs, maxNumBatchedTokens, blockSize, numKvBlocks,
                kvCacheMemory, maxModelLen, maxNumQueuedRequests, enablePrefixCaching, seed, gpuMemoryUtilization);
    }

    public EngineConfig withNumKvBlocks(int blocks) {
        return new EngineConfig(modelPath, backend, maxNumSeqs, maxNumBatchedTokens, blockSize, blocks,
                0, maxModelLen, maxNumQueuedRequests, enablePrefixCaching, seed, gpuMemoryUtilization);
    }

    public EngineConfig withPrefixCaching(boolean enabled) {
        return new EngineConfig(modelPath, backend, maxNumSeqs, maxNumBatchedTokens, blockSize, numKvBlocks,
                kvCacheMemory, maxModelLen, maxNumQueuedRequests, enabled, seed, gpuMemoryUtilization);
    }

    public EngineConfig withMaxNumSeqs(int seqs) {
        return new EngineConfig(modelPath, backend, seqs, maxNumBatchedTokens, blockSize, numKvBlocks,
                kvCacheMemory, maxModelLen, maxNumQueuedRequests, enablePrefixCaching, seed, gpuMemoryUtilization);
    }

    public EngineConfig withMaxNumBatchedTokens(int tokens) {
        return new EngineConfig(modelPath, backend, maxNumSeqs, tokens, blockSize, numKvBlocks,
                kvCacheMemory, maxModelLen, maxNumQueuedRequests, enablePrefixCaching, seed, gpuMemoryUtilization);
    }
}
