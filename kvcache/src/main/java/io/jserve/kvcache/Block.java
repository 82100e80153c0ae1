package io.jserve.kvcache;

import java.util.Arrays;

/**
 * One fixed-size block of KV slots, as bookkeeping only: the physical keys and values live in the compute
 * backend at slots {@code id * blockSize .. id * blockSize + blockSize - 1}.
 *
 * <p>A block is <em>cached</em> when it holds a full, computed block of some sequence and is registered in the
 * prefix cache under its chained hash. A cached block keeps its hash, parent hash and tokens after its last
 * owner frees it, so that a later sequence with the same prefix can reuse it; it loses them only when the pool
 * hands it out again for new content (eviction on reuse).
 *
 * <p>Invariant: {@code refCount == 0} if and only if the block is in the {@link FreeBlockQueue}.
 */
public final class Block {
    private final int id;
    private int refCount;
    private boolean cached;
    private long hash;
    private long parentHash;
    private int[] tokens;

    /** Intrusive links of the {@link FreeBlockQueue}; both null while the block is not queued. */
    Block prev;
    Block next;

    Block(int id) {
        this.id = id;
    }

    /** Index of the block in the pool, also its index in the backend's physical KV memory. */
    public int id() {
        return id;
    }

    /** Number of sequences whose block table holds this block. */
    public int refCount() {
        return refCount;
    }

    /** Whether the block is registered in the prefix cache. */
    public boolean isCached() {
        return cached;
    }

    /** The block's chained hash; only meaningful while {@link #isCached()}. */
    public long hash() {
        if (!cached) {
            throw new IllegalStateException("block " + id + " is not cached");
        }
        return hash;
    }

    void incrementRef() {
        refCount++;
    }

    void decrementRef() {
        if (refCount <= 0) {
            throw new IllegalStateException("block " + id + " freed more often than allocated");
        }
        refCount--;
    }

    /** Registers the block's content: the hash of its prefix, its own tokens and the resulting chained hash. */
    void markCached(long blockHash, long parent, int[] blockTokens) {
        cached = true;
        hash = blockHash;
        parentHash = parent;
        tokens = blockTokens;
    }

    /** Forgets the content, when the block is reused for something else. */
    void evict() {
        cached = false;
        hash = 0;
        parentHash = 0;
        tokens = null;
    }

    /**
     * Whether this cached block holds exactly {@code count} tokens {@code source[from..]} after a prefix with
     * hash {@code parent}: a hash match alone could be a collision, the stored tokens are the proof.
     */
    boolean holds(long parent, int[] source, int from, int count) {
        return cached && parentHash == parent && tokens.length == count
                && Arrays.equals(tokens, 0, count, source, from, from + count);
    }

    @Override
    public String toString() {
        return "Block[" + id + ", ref=" + refCount + (cached ? ", hash=" + Long.toHexString(hash) : "") + "]";
    }
}
