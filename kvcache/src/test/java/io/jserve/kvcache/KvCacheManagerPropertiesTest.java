package io.jserve.kvcache;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random start / grow / free operations on a small pool with shared prompt heads: after every operation the
 * pool invariants hold, every block's refCount equals the number of tables holding it, a failed allocation
 * changes nothing, and freeing everything returns every block.
 */
class KvCacheManagerPropertiesTest {
    private static final int BS = 4;
    private static final int NUM_BLOCKS = 12;
    private static final int MAX_TOKENS = 40;
    private static final int[] HEAD = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

    sealed interface Op permits Start, Grow, Free {
    }

    record Start(int headLength, int tailLength, int tailToken) implements Op {
    }

    record Grow(int index, int numTokens, int token) implements Op {
    }

    record Free(int index) implements Op {
    }

    /** A sequence as the manager sees it: its table, its tokens, how many are computed. */
    private static final class Live {
        final BlockTable table = new BlockTable();
        final int[] tokens = new int[MAX_TOKENS];
        int numTokens;
        int computed;
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> start = Combinators.combine(Arbitraries.integers().between(0, 16),
                Arbitraries.integers().between(1, 10), Arbitraries.integers().between(20, 22)).as(Start::new);
        Arbitrary<Op> grow = Combinators.combine(Arbitraries.integers().between(0, 20),
                Arbitraries.integers().between(1, 6), Arbitraries.integers().between(20, 22)).as(Grow::new);
        Arbitrary<Op> free = Arbitraries.integers().between(0, 20).map(Free::new);
        return Arbitraries.frequencyOf(List.of(Tuple.of(3, start), Tuple.of(5, grow), Tuple.of(2, free)))
                .list().ofMinSize(5).ofMaxSize(50);
    }

    @Property(tries = 300)
    void invariantsHoldAfterEveryOperation(@ForAll("ops") List<Op> ops, @ForAll boolean prefixCaching) {
        KvCacheManager kv = new KvCacheManager(NUM_BLOCKS, BS, prefixCaching, new BlockHasher(5));
        List<Live> live = new ArrayList<>();
        for (Op op : ops) {
            switch (op) {
                case Start st -> start(kv, live, st);
                case Grow g -> {
                    if (!live.isEmpty()) {
                        grow(kv, live.get(g.index() % live.size()), g);
                    }
                }
                case Free f -> {
                    if (!live.isEmpty()) {
                        kv.free(live.remove(f.index() % live.size()).table);
                    }
                }
            }
            check(kv, live);
        }
        for (Live l : live) {
            kv.free(l.table);
        }
        live.clear();
        check(kv, live);
        assertEquals(NUM_BLOCKS, kv.numFreeBlocks());
        assertTrue(kv.prefixCacheHits() <= kv.prefixCacheQueries());
    }

    private static void start(KvCacheManager kv, List<Live> live, Start st) {
        Live l = new Live();
        System.arraycopy(HEAD, 0, l.tokens, 0, st.headLength());
        Arrays.fill(l.tokens, st.headLength(), st.headLength() + st.tailLength(), st.tailToken());
        l.numTokens = st.headLength() + st.tailLength();
        PrefixHit hit = kv.findPrefix(l.table, l.tokens, l.numTokens);
        assertTrue(hit.numHitTokens() < l.numTokens, "a hit leaves a token to compute");
        List<Integer> freeBefore = kv.freeBlockIds();
        if (kv.allocateSlots(l.table, hit, l.numTokens - hit.numHitTokens())) {
            l.computed = l.numTokens;
            kv.cacheFullBlocks(l.table, l.tokens, l.computed);
            live.add(l);
        } else {
            assertEquals(0, l.table.size());
            assertEquals(freeBefore, kv.freeBlockIds(), "a failed allocation changes nothing");
        }
    }

    private static void grow(KvCacheManager kv, Live l, Grow g) {
        int n = Math.min(g.numTokens(), MAX_TOKENS - l.numTokens);
        if (n == 0) {
            return;
        }
        List<Integer> freeBefore = kv.freeBlockIds();
        int sizeBefore = l.table.size();
        if (kv.allocateSlots(l.table, l.computed, n)) {
            Arrays.fill(l.tokens, l.numTokens, l.numTokens + n, g.token());
            l.numTokens += n;
            l.computed = l.numTokens;
            kv.cacheFullBlocks(l.table, l.tokens, l.computed);
        } else {
            assertEquals(sizeBefore, l.table.size());
            assertEquals(freeBefore, kv.freeBlockIds(), "a failed allocation changes nothing");
        }
    }

    private static void check(KvCacheManager kv, List<Live> live) {
        kv.checkInvariants();
        int[] owners = new int[NUM_BLOCKS];
        for (Live l : live) {
            assertEquals((l.computed + BS - 1) / BS, l.table.size());
            for (int id : l.table.blockIds()) {
                owners[id]++;
            }
            if (kv.prefixCachingEnabled()) {
                assertEquals(l.numTokens / BS, l.table.numHashes());
            }
        }
        int used = 0;
        for (int id = 0; id < NUM_BLOCKS; id++) {
            assertEquals(owners[id], kv.block(id).refCount(), "refCount of block " + id);
            used += owners[id] > 0 ? 1 : 0;
        }
        assertEquals(used, kv.numUsedBlocks());
        assertEquals(NUM_BLOCKS - used, kv.numFreeBlocks());
    }
}
