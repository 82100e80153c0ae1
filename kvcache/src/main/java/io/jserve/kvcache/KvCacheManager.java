package io.jserve.kvcache;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Decides which KV blocks each sequence uses; the scheduler decides how many tokens run, the backend holds the
 * memory. Works on a sequence's {@link BlockTable} and its tokens ({@code tokens[0 .. numTokens-1]}).
 *
 * <p>Rules:
 * <ul>
 *   <li>Only full blocks are hashed, with chained hashes ({@link BlockHasher}); a block enters the prefix cache
 *       once all its tokens are computed ({@link #cacheFullBlocks}).</li>
 *   <li>A lookup ({@link #findPrefix}) walks the sequence's full blocks in order and stops at the first miss.
 *       A hit must match the stored tokens and parent hash, not only the hash. It is capped at
 *       {@code numTokens - 1} tokens, so at least one token is computed and its logits can be sampled.</li>
 *   <li>Freed blocks keep their hash and stay reusable until the pool hands them out again (eviction on reuse,
 *       least recently freed first). A sequence frees its blocks in reverse order, so its tail blocks, the
 *       least likely to be shared, are evicted before its head.</li>
 *   <li>Free blocks, cached-but-free ones included, count as available: taking one for a hit or for new
 *       content costs the same.</li>
 *   <li>Invariants, after every operation: free + used = total; a block is free iff its refCount is 0; every
 *       cached hash maps to a block with that hash ({@link #checkInvariants()}).</li>
 * </ul>
 * Not thread-safe: owned by the engine thread.
 */
public final class KvCacheManager {
    private final BlockPool pool;
    private final int blockSize;
    private final boolean prefixCaching;
    private final BlockHasher hasher;
    private long prefixCacheQueries;
    private long prefixCacheHits;

    /** A manager with this process's random hash root. */
    public KvCacheManager(int numBlocks, int blockSize, boolean enablePrefixCaching) {
        this(numBlocks, blockSize, enablePrefixCaching, BlockHasher.forProcess());
    }

    public KvCacheManager(int numBlocks, int blockSize, boolean enablePrefixCaching, BlockHasher hasher) {
        if (blockSize < 1) {
            throw new IllegalArgumentException("block size must be at least 1, got " + blockSize);
        }
        this.pool = new BlockPool(numBlocks);
        this.blockSize = blockSize;
        this.prefixCaching = enablePrefixCaching;
        this.hasher = Objects.requireNonNull(hasher, "hasher");
    }

    /**
     * Looks up the longest cached prefix of {@code tokens[0 .. numTokens-1]} for a sequence that holds no
     * blocks yet, hashing its full blocks on the way (kept in {@code table}). Changes no block and counts
     * nothing: commit with {@link #allocateSlots(BlockTable, PrefixHit, int)}.
     */
    public PrefixHit findPrefix(BlockTable table, int[] tokens, int numTokens) {
        if (table.size() != 0) {
            throw new IllegalStateException("prefix lookup for a sequence that already holds blocks");
        }
        if (!prefixCaching) {
            return PrefixHit.none();
        }
        hashFullBlocks(table, tokens, numTokens);
        int maxHitBlocks = (numTokens - 1) / blockSize;
        List<Block> hit = new ArrayList<>();
        long parent = hasher.root();
        for (int i = 0; i < maxHitBlocks; i++) {
            long hash = table.hash(i);
            Block block = pool.cached(hash);
            if (block == null || !block.holds(parent, tokens, i * blockSize, blockSize)) {
                break;
            }
            hit.add(block);
            parent = hash;
        }
        return new PrefixHit(hit, hit.size() * blockSize, numTokens);
    }

    /**
     * Gives a sequence that holds no blocks its prefix hit plus room for {@code numNewTokens} more tokens.
     * Returns false, changing nothing, when the pool cannot supply the blocks (hit blocks that are free count
     * against the free blocks too). On success, counts the lookup in the prefix-cache counters.
     */
    public boolean allocateSlots(BlockTable table, PrefixHit hit, int numNewTokens) {
        if (table.size() != 0) {
            throw new IllegalStateException("a prefix hit for a sequence that already holds blocks");
        }
        int newBlocks = blocksFor(hit.numHitTokens() + numNewTokens) - hit.blocks().size();
        int freeHits = 0;
        for (Block block : hit.blocks()) {
            if (!block.isCached()) {
                throw new IllegalStateException("stale prefix hit: " + block + " was evicted since the lookup");
            }
            freeHits += block.refCount() == 0 ? 1 : 0;
        }
        if (newBlocks + freeHits > pool.numFree()) {
            return false;
        }
        for (Block block : hit.blocks()) {
            pool.touch(block);
            table.add(block.id());
        }
        table.setNumCachedBlocks(hit.blocks().size());
        addNew(table, newBlocks);
        prefixCacheQueries += hit.queriedTokens();
        prefixCacheHits += hit.numHitTokens();
        return true;
    }

    /**
     * Makes room for {@code numNewTokens} tokens after the first {@code numComputedTokens} of a sequence.
     * Returns false, changing nothing, when the pool has too few free blocks.
     */
    public boolean allocateSlots(BlockTable table, int numComputedTokens, int numNewTokens) {
        if (numComputedTokens < 0 || numNewTokens < 0) {
            throw new IllegalArgumentException("negative token count");
        }
        int newBlocks = Math.max(0, blocksFor(numComputedTokens + numNewTokens) - table.size());
        if (newBlocks > pool.numFree()) {
            return false;
        }
        addNew(table, newBlocks);
        return true;
    }

    /**
     * Registers in the prefix cache every block of the sequence that became full and computed, now that its
     * first {@code numComputedTokens} tokens are in the KV cache. A no-op when prefix caching is off.
     */
    public void cacheFullBlocks(BlockTable table, int[] tokens, int numComputedTokens) {
        if (!prefixCaching) {
            return;
        }
        int full = Math.min(numComputedTokens / blockSize, table.size());
        if (full <= table.numCachedBlocks()) {
            return;
        }
        hashFullBlocks(table, tokens, full * blockSize);
        for (int i = table.numCachedBlocks(); i < full; i++) {
            long parent = i == 0 ? hasher.root() : table.hash(i - 1);
            int[] blockTokens = Arrays.copyOfRange(tokens, i * blockSize, (i + 1) * blockSize);
            pool.register(pool.block(table.blockId(i)), table.hash(i), parent, blockTokens);
        }
        table.setNumCachedBlocks(full);
    }

    /** Returns all of a sequence's blocks, last block first; they keep their hashes. The hashes stay in the table. */
    public void free(BlockTable table) {
        for (int i = table.size() - 1; i >= 0; i--) {
            pool.release(pool.block(table.blockId(i)));
        }
        table.clearBlocks();
    }

    /** Extends the table's chained hashes to every full block of {@code tokens[0 .. numTokens-1]}. */
    private void hashFullBlocks(BlockTable table, int[] tokens, int numTokens) {
        for (int i = table.numHashes(); i < numTokens / blockSize; i++) {
            long parent = i == 0 ? hasher.root() : table.hash(i - 1);
            table.addHash(hasher.hash(parent, tokens, i * blockSize, blockSize));
        }
    }

    private void addNew(BlockTable table, int n) {
        for (Block block : pool.allocate(n)) {
            table.add(block.id());
        }
    }

    private int blocksFor(int numTokens) {
        return (numTokens + blockSize - 1) / blockSize;
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean prefixCachingEnabled() {
        return prefixCaching;
    }

    public int numTotalBlocks() {
        return pool.numBlocks();
    }

    /** Blocks with no owner, cached-but-free ones included (they are evictable). */
    public int numFreeBlocks() {
        return pool.numFree();
    }

    public int numUsedBlocks() {
        return pool.numBlocks() - pool.numFree();
    }

    /** Blocks registered in the prefix cache, owned or free. */
    public int numCachedBlocks() {
        return pool.numCached();
    }

    /** Fraction of blocks in use, 0 to 1. */
    public double usage() {
        return (double) numUsedBlocks() / pool.numBlocks();
    }

    /** Tokens looked up in the prefix cache (committed lookups only), cumulative. */
    public long prefixCacheQueries() {
        return prefixCacheQueries;
    }

    /** Of those, tokens found, cumulative. */
    public long prefixCacheHits() {
        return prefixCacheHits;
    }

    /** Read-only view of block {@code id}, for metrics and checks. */
    public Block block(int id) {
        return pool.block(id);
    }

    /** Ids of the free blocks, next to be reused first (O(n), for tests and diagnostics). */
    public List<Integer> freeBlockIds() {
        return pool.freeBlockIds();
    }

    /** Throws {@link IllegalStateException} if a pool invariant is broken. O(n): for tests and debugging. */
    public void checkInvariants() {
        pool.checkInvariants();
    }
}
