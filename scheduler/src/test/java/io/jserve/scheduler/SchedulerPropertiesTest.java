package io.jserve.scheduler;

import io.jserve.kvcache.KvCacheManager;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.jserve.scheduler.SchedulerTestSupport.EOS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random add / step / abort sequences over a small pool (so that prefix hits, chunking and preemption all
 * happen): the KV and scheduler invariants hold after every operation, and every sequence eventually finishes,
 * returning every block.
 */
class SchedulerPropertiesTest {
    private static final int BS = 4;
    private static final SchedulerConfig CONFIG = new SchedulerConfig(3, 8, BS, 32, 10, 5, true);
    /** Shared prompt heads, so that lookups hit. Tokens are 1..5; 0 is EOS. */
    private static final int[][] HEADS = {{1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2}, {2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4},
            {5, 4, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4}};

    sealed interface Op permits Add, Step, Abort {
    }

    record Add(int head, int headLength, int[] tail, int maxTokens, int minTokens, boolean ignoreEos) implements Op {
    }

    record Step(long seed) implements Op {
    }

    record Abort(int index) implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> add = Combinators.combine(Arbitraries.integers().between(0, 2),
                        Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(0, 4)),
                                Tuple.of(3, Arbitraries.integers().between(5, 12))),
                        Arbitraries.integers().between(1, 5).array(int[].class).ofMaxSize(8),
                        Arbitraries.integers().between(1, 12), Arbitraries.integers().between(0, 3),
                        Arbitraries.of(true, false))
                .as((h, len, tail, max, min, ign) -> tail.length + len == 0 ? new Add(h, 1, tail, max, 0, ign)
                        : new Add(h, len, tail, max, Math.min(min, max), ign));
        Arbitrary<Op> step = Arbitraries.longs().map(Step::new);
        Arbitrary<Op> abort = Arbitraries.integers().between(0, 40).map(Abort::new);
        return Arbitraries.frequencyOf(List.of(Tuple.of(3, add), Tuple.of(6, step), Tuple.of(1, abort)))
                .list().ofMinSize(10).ofMaxSize(60);
    }

    @Property(tries = 300)
    @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
    void invariantsHoldAfterEveryOperation(@ForAll("ops") List<Op> ops, @ForAll boolean prefixCaching) {
        Scheduler s = new Scheduler(CONFIG.withPrefixCaching(prefixCaching), Set.of(EOS));
        List<Sequence> added = new ArrayList<>();
        boolean[] chunked = {false};
        for (Op op : ops) {
            switch (op) {
                case Add a -> add(s, added, a);
                case Step st -> chunked[0] |= step(s, new Random(st.seed()));
                case Abort ab -> {
                    if (!added.isEmpty()) {
                        Sequence target = added.get(ab.index() % added.size());
                        boolean wasLive = !target.status().isFinished();
                        assertEquals(wasLive, s.abort(target.id()).isPresent());
                        assertEquals(wasLive ? SequenceStatus.FINISHED_ABORTED : target.status(), target.status());
                        assertEquals(0, target.blockTable().size());
                    }
                }
            }
            checkInvariants(s, added);
        }
        Random random = new Random(ops.size());
        for (int i = 0; i < 500 && s.hasUnfinished(); i++) {
            chunked[0] |= step(s, random);
            checkInvariants(s, added);
        }
        assertFalse(s.hasUnfinished(), "every sequence finishes");
        KvCacheManager kv = s.kvCache();
        assertEquals(kv.numTotalBlocks(), kv.numFreeBlocks());
        assertTrue(kv.prefixCacheHits() <= kv.prefixCacheQueries());
        for (Sequence seq : added) {
            assertTrue(seq.status().isFinished());
            assertTrue(seq.numOutputTokens() <= seq.params().maxTokens());
        }
        // The generator must reach the interesting paths, not only pass trivially.
        Statistics.label("preempted").collect(s.numPreemptions() > 0);
        if (prefixCaching) {
            Statistics.label("prefix hit").collect(kv.prefixCacheHits() > 0);
        }
        Statistics.label("chunked prefill").collect(chunked[0]);
        Statistics.label("preempted").coverage(c -> c.check(true).percentage(p -> p >= 10));
        Statistics.label("prefix hit").coverage(c -> c.check(true).percentage(p -> p >= 50));
        Statistics.label("chunked prefill").coverage(c -> c.check(true).percentage(p -> p >= 60));
    }

    private static void add(Scheduler s, List<Sequence> added, Add a) {
        int[] prompt = new int[a.headLength() + a.tail().length];
        System.arraycopy(HEADS[a.head()], 0, prompt, 0, a.headLength());
        System.arraycopy(a.tail(), 0, prompt, a.headLength(), a.tail().length);
        SamplingParams params = new SamplingParams(0f, 0, 1f, 0f, null, a.maxTokens(), a.minTokens(), a.ignoreEos(),
                List.of(5), 0f, 0f, 1f, Map.of(), -1);
        Sequence seq = new Sequence("s" + added.size(), prompt, params);
        int waitingBefore = s.numWaiting();
        try {
            s.add(seq);
            added.add(seq);
            assertEquals(waitingBefore + 1, s.numWaiting());
        } catch (QueueFullException e) {
            assertTrue(waitingBefore >= CONFIG.maxWaiting());
        }
    }

    /** One schedule + update with random tokens; true when a prefill chunk was not sampled (a chunked prompt). */
    private static boolean step(Scheduler s, Random random) {
        ScheduledBatch batch = s.schedule();
        assertTrue(batch.totalTokens() <= CONFIG.maxNumBatchedTokens());
        Set<String> ids = new HashSet<>();
        for (ScheduledSequence e : batch.entries()) {
            assertTrue(ids.add(e.sequence().id()), "a sequence is scheduled once per step");
            assertEquals(e.sequence().numComputedTokens(), e.startPosition());
            assertTrue(e.sequence().blockTable().size() * BS >= e.contextLength(), "slots for every scheduled token");
        }
        int[] sampled = random.ints(batch.numSampled(), 0, 6).toArray();
        List<SequenceUpdate> updates = s.update(batch, sampled);
        assertEquals(batch.numSampled(), updates.size());
        for (int i = 0; i < updates.size(); i++) {
            assertEquals(sampled[i], updates.get(i).tokenId());
            assertEquals(updates.get(i).sequence().finishReason(), updates.get(i).finishReason());
        }
        return batch.numSampled() < batch.numSequences();
    }

    private static void checkInvariants(Scheduler s, List<Sequence> added) {
        KvCacheManager kv = s.kvCache();
        kv.checkInvariants();
        int[] owners = new int[kv.numTotalBlocks()];
        int running = 0;
        for (Sequence seq : added) {
            switch (seq.status()) {
                case RUNNING -> {
                    running++;
                    assertTrue(seq.numComputedTokens() < seq.numTokens());
                    assertEquals((seq.numComputedTokens() + BS - 1) / BS, seq.blockTable().size());
                    for (int id : seq.blockTable().blockIds()) {
                        owners[id]++;
                    }
                }
                case WAITING, PREEMPTED -> {
                    assertEquals(0, seq.numComputedTokens());
                    assertEquals(0, seq.blockTable().size());
                }
                default -> assertEquals(0, seq.blockTable().size(), "a finished sequence holds no block");
            }
        }
        assertEquals(running, s.numRunning());
        assertTrue(running <= CONFIG.maxNumSeqs());
        int used = 0;
        for (int id = 0; id < owners.length; id++) {
            assertEquals(owners[id], kv.block(id).refCount(), "refCount of block " + id);
            used += owners[id] > 0 ? 1 : 0;
        }
        assertEquals(used, kv.numUsedBlocks());
    }
}
