package io.jserve.scheduler;

/**
 * The scheduler's limits, validated here so that a bad value stops the start with one clear message.
 *
 * @param maxNumSeqs          batch slots: most sequences running at once
 * @param maxNumBatchedTokens token budget of one step, prefill chunks and decodes together; at least
 *                            {@code maxNumSeqs} so that every running sequence can decode every step
 * @param blockSize           tokens per KV block
 * @param maxModelLen         longest sequence, prompt plus output
 * @param numKvBlocks         KV blocks in the pool
 * @param maxWaiting          bound of the waiting queue; {@link Scheduler#add} refuses beyond it. At least 1: every
 *                            new sequence waits in the queue until the next {@link Scheduler#schedule()}
 * @param enablePrefixCaching reuse cached KV blocks of identical prompt prefixes
 */
public record SchedulerConfig(int maxNumSeqs, int maxNumBatchedTokens, int blockSize, int maxModelLen,
                              int numKvBlocks, int maxWaiting, boolean enablePrefixCaching) {

    public static final int DEFAULT_MAX_NUM_SEQS = 256;
    public static final int DEFAULT_MAX_NUM_BATCHED_TOKENS = 2048;
    public static final int DEFAULT_BLOCK_SIZE = 16;
    public static final int DEFAULT_MAX_WAITING = 1024;

    public SchedulerConfig {
        require(maxNumSeqs >= 1, "maxNumSeqs must be at least 1, got " + maxNumSeqs);
        require(maxNumBatchedTokens >= maxNumSeqs,
                "maxNumBatchedTokens (%d) must be at least maxNumSeqs (%d), so that every running sequence can decode"
                        .formatted(maxNumBatchedTokens, maxNumSeqs));
        require(blockSize >= 1, "blockSize must be at least 1, got " + blockSize);
        require(maxModelLen >= 1, "maxModelLen must be at least 1, got " + maxModelLen);
        require(numKvBlocks >= 1, "numKvBlocks must be at least 1, got " + numKvBlocks);
        require(maxWaiting >= 1,
                "maxWaiting must be at least 1 (every new sequence waits before it runs), got " + maxWaiting);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Defaults (256 seqs, 2048 tokens, blocks of 16, 1024 waiting, prefix caching on) for a model and pool. */
    public static SchedulerConfig of(int maxModelLen, int numKvBlocks) {
        return new SchedulerConfig(DEFAULT_MAX_NUM_SEQS, DEFAULT_MAX_NUM_BATCHED_TOKENS, DEFAULT_BLOCK_SIZE,
                maxModelLen, numKvBlocks, DEFAULT_MAX_WAITING, true);
    }

    /** Tokens the KV pool can hold. */
    public long kvCapacityTokens() {
        return (long) numKvBlocks * blockSize;
    }

    public SchedulerConfig withBatch(int newMaxNumSeqs, int newMaxNumBatchedTokens) {
        return new SchedulerConfig(newMaxNumSeqs, newMaxNumBatchedTokens, blockSize, maxModelLen, numKvBlocks,
                maxWaiting, enablePrefixCaching);
    }

    public SchedulerConfig withBlocks(int newBlockSize, int newNumKvBlocks) {
        return new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, newBlockSize, maxModelLen, newNumKvBlocks,
                maxWaiting, enablePrefixCaching);
    }

    public SchedulerConfig withMaxWaiting(int newMaxWaiting) {
        return new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, blockSize, maxModelLen, numKvBlocks,
                newMaxWaiting, enablePrefixCaching);
    }

    public SchedulerConfig withPrefixCaching(boolean enabled) {
        return new SchedulerConfig(maxNumSeqs, maxNumBatchedTokens, blockSize, maxModelLen, numKvBlocks,
                maxWaiting, enabled);
    }
}
