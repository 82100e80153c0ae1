package io.jserve.kvcache;

import java.util.Arrays;

/**
 * One sequence's KV bookkeeping: the ids of its blocks in order (block {@code i} holds positions
 * {@code i * blockSize .. i * blockSize + blockSize - 1}) and the chained hashes of its full blocks.
 *
 * <p>Blocks are only appended, and all are dropped at once when the sequence is freed or preempted. The hashes
 * depend on tokens only, which are append-only too, so they are computed incrementally and kept across
 * preemption: a recomputed sequence looks up its prefix without hashing again.
 *
 * <p>Mutated only by {@link KvCacheManager}; everyone else reads.
 */
public final class BlockTable {
    private int[] blockIds = new int[4];
    private int numBlocks;
    private long[] hashes = new long[4];
    private int numHashes;
    /** Leading blocks already offered to the prefix cache (by a hit or by {@code cacheFullBlocks}). */
    private int numCachedBlocks;

    /** Number of blocks held. */
    public int size() {
        return numBlocks;
    }

    /** Id of block {@code index}. */
    public int blockId(int index) {
        if (index < 0 || index >= numBlocks) {
            throw new IndexOutOfBoundsException("block " + index + " of " + numBlocks);
        }
        return blockIds[index];
    }

    /** A copy of the block ids, in position order. */
    public int[] blockIds() {
        return Arrays.copyOf(blockIds, numBlocks);
    }

    /** Copies the block ids into {@code dest} at {@code offset} (for a flat, strided batch table). */
    public void copyBlockIds(int[] dest, int offset) {
        System.arraycopy(blockIds, 0, dest, offset, numBlocks);
    }

    /** Number of full blocks hashed so far. */
    public int numHashes() {
        return numHashes;
    }

    /** Chained hash of full block {@code index}. */
    public long hash(int index) {
        if (index < 0 || index >= numHashes) {
            throw new IndexOutOfBoundsException("hash " + index + " of " + numHashes);
        }
        return hashes[index];
    }

    /** A copy of the chained hashes of the full blocks hashed so far. */
    public long[] hashes() {
        return Arrays.copyOf(hashes, numHashes);
    }

    int numCachedBlocks() {
        return numCachedBlocks;
    }

    void setNumCachedBlocks(int n) {
        numCachedBlocks = n;
    }

    void add(int blockId) {
        if (numBlocks == blockIds.length) {
            blockIds = Arrays.copyOf(blockIds, numBlocks * 2);
        }
        blockIds[numBlocks++] = blockId;
    }

    void addHash(long hash) {
        if (numHashes == hashes.length) {
            hashes = Arrays.copyOf(hashes, numHashes * 2);
        }
        hashes[numHashes++] = hash;
    }

    /** Drops the blocks (not the hashes). */
    void clearBlocks() {
        numBlocks = 0;
        numCachedBlocks = 0;
    }

    @Override
    public String toString() {
        return "BlockTable" + Arrays.toString(blockIds());
    }
}
