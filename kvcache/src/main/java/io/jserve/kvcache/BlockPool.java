package io.jserve.kvcache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * All KV blocks, their reference counts, the {@link FreeBlockQueue} and the prefix cache (hash to block).
 *
 * <p>Free blocks include cached-but-free ones: they are evictable, so they count as available. A block leaves
 * the prefix cache only when {@link #allocate} hands it out for new content. At most one block is registered
 * per hash; a second block computed with the same content stays unregistered and is reused as a plain block.
 *
 * <p>Invariants ({@link #checkInvariants()}): free + used = total; a block is in the free queue iff its
 * refCount is 0; every cache entry maps a hash to a cached block with that hash, and every cached block is the
 * entry of its hash.
 */
final class BlockPool {
    private final Block[] blocks;
    private final FreeBlockQueue freeQueue;
    private final Map<Long, Block> cache = new HashMap<>();

    BlockPool(int numBlocks) {
        if (numBlocks < 1) {
            throw new IllegalArgumentException("the pool needs at least one block, got " + numBlocks);
        }
        blocks = new Block[numBlocks];
        for (int i = 0; i < numBlocks; i++) {
            blocks[i] = new Block(i);
        }
        freeQueue = new FreeBlockQueue(List.of(blocks));
    }

    int numBlocks() {
        return blocks.length;
    }

    int numFree() {
        return freeQueue.size();
    }

    int numCached() {
        return cache.size();
    }

    Block block(int id) {
        return blocks[id];
    }

    /** The cached block registered under {@code hash}, or null. */
    Block cached(long hash) {
        return cache.get(hash);
    }

    /** Takes {@code n} blocks from the front of the free queue, evicting their cached content. */
    List<Block> allocate(int n) {
        if (n > freeQueue.size()) {
            throw new IllegalStateException("asked for " + n + " blocks, " + freeQueue.size() + " free");
        }
        List<Block> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Block block = freeQueue.popFirst();
            if (block.isCached()) {
                cache.remove(block.hash());
                block.evict();
            }
            block.incrementRef();
            out.add(block);
        }
        return out;
    }

    /** Adds an owner to a (cached) block, taking it out of the free queue if it had none. */
    void touch(Block block) {
        if (block.refCount() == 0) {
            freeQueue.remove(block);
        }
        block.incrementRef();
    }

    /** Drops an owner; a block with no owner left goes to the back of the free queue, keeping its hash. */
    void release(Block block) {
        block.decrementRef();
        if (block.refCount() == 0) {
            freeQueue.append(block);
        }
    }

    /** Registers a full, computed block; false (and nothing changes) when another block holds that hash. */
    boolean register(Block block, long hash, long parent, int[] tokens) {
        if (block.isCached() || cache.containsKey(hash)) {
            return false;
        }
        block.markCached(hash, parent, tokens);
        cache.put(hash, block);
        return true;
    }

    /** Ids of the free blocks, next to be reused first. */
    List<Integer> freeBlockIds() {
        return freeQueue.blockIds();
    }

    void checkInvariants() {
        List<Block> free = freeQueue.blocks();
        if (free.size() != freeQueue.size()) {
            throw new IllegalStateException("free queue holds " + free.size() + " blocks, counts " + freeQueue.size());
        }
        int used = 0;
        int cachedBlocks = 0;
        for (Block block : blocks) {
            boolean queued = FreeBlockQueue.contains(block);
            if (queued != (block.refCount() == 0)) {
                throw new IllegalStateException(block + (queued ? " is free but owned" : " has no owner but is not free"));
            }
            used += queued ? 0 : 1;
            if (block.isCached()) {
                cachedBlocks++;
                if (cache.get(block.hash()) != block) {
                    throw new IllegalStateException(block + " is cached but not the entry of its hash");
                }
            }
        }
        if (used + free.size() != blocks.length) {
            throw new IllegalStateException("used " + used + " + free " + free.size() + " != total " + blocks.length);
        }
        for (Map.Entry<Long, Block> e : cache.entrySet()) {
            Block b = e.getValue();
            if (!b.isCached() || b.hash() != e.getKey()) {
                throw new IllegalStateException("cache entry " + Long.toHexString(e.getKey()) + " maps to " + b);
            }
        }
        if (cachedBlocks != cache.size()) {
            throw new IllegalStateException(cachedBlocks + " cached blocks but " + cache.size() + " cache entries");
        }
    }
}
