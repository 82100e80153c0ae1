package io.jserve.kvcache;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact block ids through allocate, hit, free and evict, in the manner of vLLM's tests/v1/core. */
class KvCacheManagerTest {
    private static final int BS = 16;
    private KvCacheManager kv = new KvCacheManager(10, BS, true, new BlockHasher(42));

    /** Tokens {@code from, from+1, ..., from+n-1}. */
    private static int[] range(int from, int n) {
        return IntStream.range(from, from + n).toArray();
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static int[] ids(int... ids) {
        return ids;
    }

    /** Starts a sequence: lookup, allocate the whole prompt, compute it, cache its full blocks. */
    private BlockTable prefill(int[] tokens) {
        BlockTable table = new BlockTable();
        PrefixHit hit = kv.findPrefix(table, tokens, tokens.length);
        assertTrue(kv.allocateSlots(table, hit, tokens.length - hit.numHitTokens()));
        kv.cacheFullBlocks(table, tokens, tokens.length);
        return table;
    }

    @AfterEach
    void invariantsHold() {
        kv.checkInvariants();
    }

    @Test
    void prefillSharesCommonPrefixBlocksAndFreesTailFirst() {
        int[] common = range(0, 3 * BS);
        int[] a = concat(common, range(100, 7));
        BlockTable ta = prefill(a);
        assertArrayEquals(ids(0, 1, 2, 3), ta.blockIds());
        assertEquals(List.of(4, 5, 6, 7, 8, 9), kv.freeBlockIds());
        assertEquals(3, ta.numHashes());
        assertEquals(3, kv.numCachedBlocks());
        assertEquals(55, kv.prefixCacheQueries());
        assertEquals(0, kv.prefixCacheHits());

        int[] b = concat(common, range(200, 7));
        BlockTable tb = new BlockTable();
        PrefixHit hit = kv.findPrefix(tb, b, b.length);
        assertEquals(List.of(0, 1, 2), hit.blocks().stream().map(Block::id).toList());
        assertEquals(48, hit.numHitTokens());
        assertTrue(kv.allocateSlots(tb, hit, 7));
        assertArrayEquals(ids(0, 1, 2, 4), tb.blockIds());
        assertArrayEquals(ta.hashes(), tb.hashes());
        assertEquals(2, kv.block(0).refCount());
        assertEquals(1, kv.block(3).refCount());
        assertEquals(110, kv.prefixCacheQueries());
        assertEquals(48, kv.prefixCacheHits());
        assertEquals(5, kv.numUsedBlocks());
        assertEquals(0.5, kv.usage());

        kv.free(ta);
        assertEquals(0, ta.size());
        assertEquals(3, ta.numHashes(), "hashes outlive the blocks");
        assertEquals(List.of(5, 6, 7, 8, 9, 3), kv.freeBlockIds());
        kv.free(tb);
        assertEquals(List.of(5, 6, 7, 8, 9, 3, 4, 2, 1, 0), kv.freeBlockIds());
        assertEquals(10, kv.numFreeBlocks());
        assertEquals(3, kv.numCachedBlocks(), "freed blocks keep their hash");

        // A hit on cached-but-free blocks takes them out of the middle of the queue.
        BlockTable tc = prefill(concat(common, range(300, 7)));
        assertArrayEquals(ids(0, 1, 2, 5), tc.blockIds());
        assertEquals(List.of(6, 7, 8, 9, 3, 4), kv.freeBlockIds());
        assertEquals(165, kv.prefixCacheQueries());
        assertEquals(96, kv.prefixCacheHits());
        kv.free(tc);
        assertEquals(List.of(6, 7, 8, 9, 3, 4, 5, 2, 1, 0), kv.freeBlockIds());
    }

    @Test
    void evictsOnlyOnReuseInFreeOrder() {
        BlockTable ta = prefill(range(0, 3 * BS + 1));
        assertArrayEquals(ids(0, 1, 2, 3), ta.blockIds());
        kv.free(ta);
        assertEquals(List.of(4, 5, 6, 7, 8, 9, 3, 2, 1, 0), kv.freeBlockIds());
        // Six new blocks come from the never-used ones: the cached blocks survive.
        BlockTable tb = prefill(range(1000, 6 * BS));
        assertArrayEquals(ids(4, 5, 6, 7, 8, 9), tb.blockIds());
        assertEquals(3 + 6, kv.numCachedBlocks());
        // Two more evict block 3 (uncached tail) then block 2 (the prefix's last full block) first.
        BlockTable tc = prefill(range(5000, 2 * BS));
        assertArrayEquals(ids(3, 2), tc.blockIds());
        assertEquals(tc.hash(1), kv.block(2).hash(), "block 2 now holds the new content");
        assertEquals(3 + 6 - 1 + 2, kv.numCachedBlocks());
        // The prefix's first two blocks are still a hit; the third is gone.
        BlockTable td = new BlockTable();
        PrefixHit hit = kv.findPrefix(td, range(0, 3 * BS + 1), 3 * BS + 1);
        assertEquals(List.of(0, 1), hit.blocks().stream().map(Block::id).toList());
        kv.free(tb);
        kv.free(tc);
        assertEquals(10, kv.numFreeBlocks());
    }

    @Test
    void hitIsCappedSoTheLastTokenIsComputed() {
        int[] prompt = range(0, 3 * BS);
        BlockTable ta = prefill(prompt);
        assertEquals(3, kv.numCachedBlocks());
        BlockTable tb = new BlockTable();
        PrefixHit hit = kv.findPrefix(tb, prompt, prompt.length);
        assertEquals(2 * BS, hit.numHitTokens(), "48 tokens: the hit stops at 47, i.e. two full blocks");
        assertTrue(kv.allocateSlots(tb, hit, BS));
        assertArrayEquals(ids(0, 1, 3), tb.blockIds());
        kv.free(ta);
        kv.free(tb);
    }

    @Test
    void lookupStopsAtTheFirstMissAndChainsOverThePrefix() {
        int[] a = concat(range(0, 2 * BS), range(500, BS + 1));
        BlockTable ta = prefill(a);
        // Same second and third block, different first block: the chained hash makes every block a miss.
        int[] b = concat(concat(range(900, BS), range(BS, BS)), range(500, BS + 1));
        BlockTable tb = new BlockTable();
        assertEquals(0, kv.findPrefix(tb, b, b.length).numHitTokens());
        // Same first block, different second, same third: only the first hits.
        int[] c = concat(concat(range(0, BS), range(900, BS)), range(500, BS + 1));
        assertEquals(List.of(0), kv.findPrefix(new BlockTable(), c, c.length).blocks().stream().map(Block::id).toList());
        kv.free(ta);
    }

    @Test
    void hitComparesStoredTokensNotOnlyTheHash() {
        Block block = new Block(0);
        block.markCached(123L, 7L, new int[] {1, 2, 3, 4});
        assertTrue(block.holds(7L, new int[] {9, 1, 2, 3, 4}, 1, 4));
        assertFalse(block.holds(7L, new int[] {1, 2, 3, 5}, 0, 4), "another token under the same hash");
        assertFalse(block.holds(8L, new int[] {1, 2, 3, 4}, 0, 4), "another parent under the same hash");
    }

    @Test
    void allocationFailsWithoutChangesWhenThePoolIsShort() {
        kv = new KvCacheManager(4, BS, true, new BlockHasher(1));
        BlockTable ta = prefill(range(0, 2 * BS + 1));
        assertArrayEquals(ids(0, 1, 2), ta.blockIds());
        kv.free(ta);
        assertEquals(List.of(3, 2, 1, 0), kv.freeBlockIds());
        // 72 tokens hit blocks 0 and 1 (free) and need three more: 5 > 4 free, the free hits count too.
        int[] longer = concat(range(0, 2 * BS), range(700, 40));
        BlockTable tb = new BlockTable();
        PrefixHit hit = kv.findPrefix(tb, longer, longer.length);
        assertEquals(2 * BS, hit.numHitTokens());
        assertFalse(kv.allocateSlots(tb, hit, 40));
        assertEquals(0, tb.size());
        assertEquals(List.of(3, 2, 1, 0), kv.freeBlockIds());
        assertEquals(33, kv.prefixCacheQueries(), "a failed allocation is not counted");
        // 64 tokens need exactly four.
        assertTrue(kv.allocateSlots(tb, hit, 32));
        assertArrayEquals(ids(0, 1, 3, 2), tb.blockIds());
        assertEquals(33 + 72, kv.prefixCacheQueries());
        assertEquals(32, kv.prefixCacheHits());
        assertFalse(kv.allocateSlots(tb, 64, 1));
        assertTrue(kv.allocateSlots(tb, 63, 1), "the last slot of the last block needs no new block");
        kv.free(tb);
        assertEquals(4, kv.numFreeBlocks());
    }

    @Test
    void decodeGrowsOneBlockPerBlockSizeTokensAndCachesOnlyComputedFullBlocks() {
        int[] tokens = range(0, 40);
        BlockTable t = new BlockTable();
        assertTrue(kv.allocateSlots(t, kv.findPrefix(t, tokens, 20), 20));
        assertArrayEquals(ids(0, 1), t.blockIds());
        kv.cacheFullBlocks(t, tokens, 20);
        assertEquals(1, kv.numCachedBlocks());
        for (int computed = 20; computed < 32; computed++) {
            assertTrue(kv.allocateSlots(t, computed, 1));
        }
        assertEquals(2, t.size());
        assertTrue(kv.allocateSlots(t, 32, 1));
        assertArrayEquals(ids(0, 1, 2), t.blockIds());
        kv.cacheFullBlocks(t, tokens, 31);
        assertEquals(1, kv.numCachedBlocks(), "block 1 is full only once token 31 is computed");
        kv.cacheFullBlocks(t, tokens, 33);
        assertEquals(2, kv.numCachedBlocks());
        assertEquals(2, t.numHashes());
        kv.free(t);
        assertEquals(List.of(3, 4, 5, 6, 7, 8, 9, 2, 1, 0), kv.freeBlockIds());
    }

    @Test
    void duplicateContentStaysUncachedAndIsReusedAsAPlainBlock() {
        int[] prompt = range(0, BS + 1);
        BlockTable ta = new BlockTable();
        BlockTable tb = new BlockTable();
        // Both look up before either is computed: both miss and compute block 0's content.
        PrefixHit ha = kv.findPrefix(ta, prompt, prompt.length);
        PrefixHit hb = kv.findPrefix(tb, prompt, prompt.length);
        assertTrue(kv.allocateSlots(ta, ha, prompt.length));
        assertTrue(kv.allocateSlots(tb, hb, prompt.length));
        kv.cacheFullBlocks(ta, prompt, prompt.length);
        kv.cacheFullBlocks(tb, prompt, prompt.length);
        assertArrayEquals(ids(2, 3), tb.blockIds());
        assertEquals(1, kv.numCachedBlocks());
        assertTrue(kv.block(0).isCached());
        assertFalse(kv.block(2).isCached());
        kv.free(ta);
        kv.free(tb);
    }

    @Test
    void prefixCachingOffNeverHitsNorHashes() {
        kv = new KvCacheManager(10, BS, false, new BlockHasher(42));
        int[] prompt = range(0, 3 * BS + 1);
        BlockTable ta = prefill(prompt);
        BlockTable tb = prefill(prompt);
        assertArrayEquals(ids(0, 1, 2, 3), ta.blockIds());
        assertArrayEquals(ids(4, 5, 6, 7), tb.blockIds());
        assertEquals(0, ta.numHashes());
        assertEquals(0, kv.numCachedBlocks());
        assertEquals(0, kv.prefixCacheQueries());
        kv.free(ta);
        kv.free(tb);
        assertEquals(List.of(8, 9, 3, 2, 1, 0, 7, 6, 5, 4), kv.freeBlockIds());
    }

    @Test
    void rejectsMisuse() {
        assertThrows(IllegalArgumentException.class, () -> new KvCacheManager(0, BS, true));
        assertThrows(IllegalArgumentException.class, () -> new KvCacheManager(4, 0, true));
        BlockTable t = prefill(range(0, 5));
        assertThrows(IllegalStateException.class, () -> kv.findPrefix(t, range(0, 5), 5));
        kv.free(t);
        assertThrows(IllegalStateException.class, () -> kv.block(0).hash());
        assertThrows(IndexOutOfBoundsException.class, () -> t.blockId(0));
    }
}
