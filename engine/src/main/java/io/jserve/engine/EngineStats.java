package io.jserve.engine;

/**
 * A snapshot of the engine's counters, published by the engine thread after every step (read lock-free by
 * the metrics endpoint).
 *
 * @param numRunning         sequences in the running batch
 * @param numWaiting         sequences waiting (new or preempted)
 * @param totalBlocks        KV blocks in the pool
 * @param freeBlocks         KV blocks with no owner (cached-but-free ones included)
 * @param prefixCacheQueries prompt tokens looked up in the prefix cache, cumulative
 * @param prefixCacheHits    of those, tokens found, cumulative
 * @param numPreemptions     sequences preempted, cumulative
 * @param promptTokens       prompt tokens computed (prefix hits excluded), cumulative
 * @param generationTokens   tokens generated, cumulative
 * @param steps              forward steps run, cumulative
 * @param kvSlotSteps        KV slots held by running sequences (their blocks x block size), summed over steps
 * @param kvTokenSteps       tokens those sequences had stored in them, summed over steps
 * @param fullRowSamples     tokens sampled from a whole row of logits copied to the host rather than from the
 *                           row's summary (penalties, bias, {@code min_tokens}, or a draw past the candidates),
 *                           cumulative
 */
public record EngineStats(int numRunning, int numWaiting, int totalBlocks, int freeBlocks, long prefixCacheQueries,
                          long prefixCacheHits, long numPreemptions, long promptTokens, long generationTokens,
                          long steps, long kvSlotSteps, long kvTokenSteps, long fullRowSamples) {

    /**
     * The share of allocated KV slots that held no token, averaged over every step so far (the PagedAttention
     * paper's "waste": only the unfilled tail of each sequence's last block).
     */
    public double kvCacheWaste() {
        return kvSlotSteps == 0 ? 0 : 1.0 - (double) kvTokenSteps / kvSlotSteps;
    }

    /** Fraction of KV blocks in use, 0 to 1. */
    public double kvCacheUsage() {
        return totalBlocks == 0 ? 0 : (double) (totalBlocks - freeBlocks) / totalBlocks;
    }
}
