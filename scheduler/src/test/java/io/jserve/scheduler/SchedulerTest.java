package io.jserve.scheduler;

import io.jserve.kvcache.BlockHasher;
import io.jserve.kvcache.KvCacheManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static io.jserve.scheduler.SchedulerTestSupport.EOS;
import static io.jserve.scheduler.SchedulerTestSupport.assertBatch;
import static io.jserve.scheduler.SchedulerTestSupport.range;
import static io.jserve.scheduler.SchedulerTestSupport.seq;
import static io.jserve.scheduler.SchedulerTestSupport.step;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerTest {
    private Scheduler scheduler;

    private Scheduler create(SchedulerConfig config) {
        KvCacheManager kv = new KvCacheManager(config.numKvBlocks(), config.blockSize(), config.enablePrefixCaching(),
                new BlockHasher(3));
        scheduler = new Scheduler(config, Set.of(EOS), kv);
        return scheduler;
    }

    /** Budget 10 tokens, 4 slots, blocks of 4, 32 blocks, model length 64. */
    private Scheduler small() {
        return create(new SchedulerConfig(4, 10, 4, 64, 32, 8, true));
    }

    @AfterEach
    void everyBlockIsBack() {
        KvCacheManager kv = scheduler.kvCache();
        kv.checkInvariants();
        assertFalse(scheduler.hasUnfinished(), "a test left sequences live");
        assertEquals(kv.numTotalBlocks(), kv.numFreeBlocks());
    }

    @Test
    void longPromptIsChunkedByTheBudgetExactly() {
        Scheduler s = small();
        Sequence a = seq("a", range(1, 25), 2);
        s.add(a);
        s.add(seq("b", range(100, 3), 1));
        ScheduledBatch b1 = s.schedule();
        assertBatch(b1, 10, "a:10@0");
        assertEquals(List.of(), s.update(b1, new int[0]));
        assertEquals(10, a.numComputedTokens());
        assertArrayEquals(new int[] {0, 1, 2}, a.blockTable().blockIds());
        ScheduledBatch b2 = s.schedule();
        assertBatch(b2, 10, "a:10@10");
        assertArrayEquals(range(11, 10), b2.entries().getFirst().tokenIds());
        s.update(b2, new int[0]);
        ScheduledBatch b3 = s.schedule();
        assertBatch(b3, 8, "a:5@20*", "b:3@0*");
        assertEquals(25, b3.entries().getFirst().contextLength());
        List<SequenceUpdate> u3 = s.update(b3, new int[] {7, 8});
        assertEquals(List.of(new SequenceUpdate(a, 7, Optional.empty()),
                new SequenceUpdate(u3.get(1).sequence(), 8, Optional.of(FinishReason.LENGTH))), u3);
        assertArrayEquals(new int[] {7}, a.outputTokens());
        assertEquals(1, s.numRunning());
        ScheduledBatch b4 = s.schedule();
        assertBatch(b4, 1, "a:1@25*");
        assertEquals(FinishReason.LENGTH, s.update(b4, new int[] {9}).getFirst().finishReason().orElseThrow());
        assertEquals(SequenceStatus.FINISHED_LENGTH, a.status());
        assertEquals(28, s.computedPromptTokens());
        assertEquals(3, s.generatedTokens());
        assertTrue(s.schedule().isEmpty());
    }

    @Test
    void runningDecodesComeBeforeWaitingPrefills() {
        Scheduler s = small();
        Sequence a = seq("a", range(1, 3), 5);
        s.add(a);
        s.update(s.schedule(), new int[] {50});
        s.add(seq("c", range(200, 30), 1));
        ScheduledBatch b = s.schedule();
        assertBatch(b, 10, "a:1@3*", "c:9@0");
        s.update(b, new int[] {51});
        // The decode keeps its token every step while the long prompt takes the rest of the budget.
        assertBatch(s.schedule(), 10, "a:1@4*", "c:9@9");
        s.abort("a");
        s.abort("c");
    }

    @Test
    void batchSlotsBoundTheRunningSet() {
        Scheduler s = create(new SchedulerConfig(2, 16, 4, 64, 32, 8, true));
        s.add(seq("a", range(1, 2), 3));
        s.add(seq("b", range(10, 2), 3));
        s.add(seq("c", range(20, 2), 3));
        assertBatch(s.schedule(), 4, "a:2@0*", "b:2@0*");
        assertEquals(1, s.numWaiting());
        s.abort("a");
        s.abort("b");
        assertBatch(s.schedule(), 2, "c:2@0*");
        s.abort("c");
    }

    @Test
    void preemptsTheNewestByRecomputeWhenBlocksRunOut() {
        Scheduler s = create(new SchedulerConfig(4, 16, 4, 16, 4, 8, true));
        Sequence a = seq("a", range(1, 6), 6);
        Sequence b = seq("b", range(11, 6), 6);
        s.add(a);
        s.add(b);
        assertBatch(step(s, 100, 200), 12, "a:6@0*", "b:6@0*");
        assertArrayEquals(new int[] {0, 1}, a.blockTable().blockIds());
        assertArrayEquals(new int[] {2, 3}, b.blockTable().blockIds());
        assertBatch(step(s, 101, 201), 2, "a:1@6*", "b:1@6*");
        assertBatch(step(s, 102, 202), 2, "a:1@7*", "b:1@7*");
        assertEquals(4, s.kvCache().numCachedBlocks());

        // a needs a third block: b, the newest, loses its blocks and goes back to the queue.
        ScheduledBatch b4 = s.schedule();
        assertBatch(b4, 1, "a:1@8*");
        assertEquals(List.of(b), b4.preempted());
        assertEquals(SequenceStatus.PREEMPTED, b.status());
        assertEquals(0, b.numComputedTokens());
        assertEquals(0, b.blockTable().size());
        assertEquals(2, b.blockTable().numHashes(), "a preempted sequence keeps its hashes");
        assertArrayEquals(new int[] {0, 1, 3}, a.blockTable().blockIds());
        assertEquals(1, s.numPreemptions());
        assertEquals(1, b.numPreemptions());
        s.update(b4, new int[] {103});

        // b's first block is still cached but b needs three blocks and only one is free: it waits.
        assertBatch(step(s, 104), 1, "a:1@9*");
        assertEquals(1, s.numWaiting());
        ScheduledBatch b6 = s.schedule();
        assertBatch(b6, 1, "a:1@10*");
        assertEquals(FinishReason.LENGTH, s.update(b6, new int[] {105}).getFirst().finishReason().orElseThrow());
        assertEquals(List.of(2, 3, 1, 0), s.kvCache().freeBlockIds());

        // Recompute: block 2 is a hit (4 tokens), the other 5 known tokens run again, the last is sampled.
        ScheduledBatch b7 = s.schedule();
        assertBatch(b7, 5, "b:5@4*");
        assertArrayEquals(new int[] {15, 16, 200, 201, 202}, b7.entries().getFirst().tokenIds());
        assertArrayEquals(new int[] {2, 3, 1}, b.blockTable().blockIds());
        assertEquals(0, b.numCachedTokens(), "cached tokens are those of the first schedule");
        assertEquals(21, s.kvCache().prefixCacheQueries());
        assertEquals(4, s.kvCache().prefixCacheHits());
        s.update(b7, new int[] {203});
        step(s, 204);
        List<SequenceUpdate> last = s.update(s.schedule(), new int[] {205});
        assertEquals(FinishReason.LENGTH, last.getFirst().finishReason().orElseThrow());
        assertArrayEquals(new int[] {200, 201, 202, 203, 204, 205}, b.outputTokens());
        assertEquals(14, s.computedPromptTokens());
        assertEquals(12, s.generatedTokens());
    }

    @Test
    void preemptsItselfWhenItIsTheNewest() {
        Scheduler s = create(new SchedulerConfig(4, 16, 4, 16, 3, 8, false));
        Sequence a = seq("a", range(1, 4), 5);
        Sequence b = seq("b", range(11, 4), 5);
        s.add(a);
        s.add(b);
        step(s, 100, 200);
        assertArrayEquals(new int[] {0}, a.blockTable().blockIds());
        assertArrayEquals(new int[] {1}, b.blockTable().blockIds());
        // Both need a second block, one is free: a takes it, then b finds none and preempts itself.
        ScheduledBatch batch = s.schedule();
        assertBatch(batch, 1, "a:1@4*");
        assertEquals(List.of(b), batch.preempted());
        assertArrayEquals(new int[] {0, 2}, a.blockTable().blockIds());
        s.abort("a");
        assertEquals(SequenceStatus.PREEMPTED, b.status());
        assertBatch(s.schedule(), 5, "b:5@0*");
        s.abort("b");
    }

    @Test
    void prefixHitsAreCountedExactly() {
        Scheduler s = small();
        s.add(seq("a", range(1, 20), 1));
        assertBatch(step(s), 10, "a:10@0");
        assertBatch(step(s, 99), 10, "a:10@10*");
        int[] longer = new int[23];
        System.arraycopy(range(1, 20), 0, longer, 0, 20);
        longer[20] = 77;
        longer[21] = 78;
        longer[22] = 79;
        Sequence b = seq("b", longer, 1);
        s.add(b);
        ScheduledBatch batch = s.schedule();
        assertBatch(batch, 3, "b:3@20*");
        assertEquals(20, b.numCachedTokens());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, b.blockTable().blockIds());
        assertEquals(43, s.kvCache().prefixCacheQueries());
        assertEquals(20, s.kvCache().prefixCacheHits());
        s.update(batch, new int[] {5});
        // The same 20-token prompt again: the hit is capped at 19 tokens, i.e. 4 full blocks of 4.
        Sequence c = seq("c", range(1, 20), 1);
        s.add(c);
        assertBatch(step(s, 6), 4, "c:4@16*");
        assertEquals(16, c.numCachedTokens());
        assertEquals(63, s.kvCache().prefixCacheQueries());
        assertEquals(36, s.kvCache().prefixCacheHits());
    }

    @Test
    void abortFreesEverythingFromAnyState() {
        Scheduler s = create(new SchedulerConfig(4, 16, 4, 16, 4, 8, true));
        Sequence a = seq("a", range(1, 6), 6);
        Sequence b = seq("b", range(11, 6), 6);
        Sequence w = seq("w", range(21, 3), 2);
        s.add(a);
        s.add(b);
        step(s, 100, 200);
        s.add(w);
        assertEquals(Optional.of(w), s.abort("w"));
        assertEquals(SequenceStatus.FINISHED_ABORTED, w.status());
        assertEquals(FinishReason.ABORT, w.finishReason().orElseThrow());
        assertEquals(Optional.empty(), s.abort("w"), "already gone");
        assertEquals(Optional.empty(), s.abort("nobody"));
        step(s, 101, 201);
        step(s, 102, 202);
        step(s, 103);
        assertEquals(SequenceStatus.PREEMPTED, b.status());
        assertEquals(Optional.of(b), s.abort("b"));
        ScheduledBatch batch = s.schedule();
        assertBatch(batch, 1, "a:1@9*");
        assertEquals(Optional.of(a), s.abort("a"));
        // Aborted between schedule and update: its results are dropped, its blocks are already back.
        assertEquals(List.of(), s.update(batch, new int[] {104}));
        assertEquals(0, s.numRunning());
        assertEquals(0, s.numWaiting());
    }

    @Test
    void stopsOnEosStopIdsMinTokensAndLengths() {
        Scheduler s = create(new SchedulerConfig(4, 16, 4, 8, 8, 8, true));
        SamplingParams base = SamplingParams.greedy(5);
        s.add(new Sequence("eos", range(1, 2), base));
        s.add(new Sequence("ignore", range(1, 2), new SamplingParams(0f, 0, 1f, 0f, null, 3, 0, true,
                List.of(), 0f, 0f, 1f, Map.of(), -1)));
        s.add(new Sequence("stopid", range(1, 2), new SamplingParams(0f, 0, 1f, 0f, null, 5, 2, false,
                List.of(42), 0f, 0f, 1f, Map.of(), -1)));
        List<SequenceUpdate> u1 = s.update(s.schedule(), new int[] {EOS, EOS, 42});
        assertEquals(Optional.of(FinishReason.STOP), u1.get(0).finishReason());
        assertEquals(Optional.empty(), u1.get(1).finishReason(), "ignore_eos");
        assertEquals(Optional.empty(), u1.get(2).finishReason(), "min_tokens = 2: the first output cannot stop");
        List<SequenceUpdate> u2 = s.update(s.schedule(), new int[] {EOS, 42});
        assertEquals(Optional.empty(), u2.get(1).finishReason(), "the second output cannot stop either");
        List<SequenceUpdate> u3 = s.update(s.schedule(), new int[] {EOS, 42});
        assertEquals(Optional.of(FinishReason.LENGTH), u3.get(0).finishReason(), "max_tokens = 3");
        assertEquals(Optional.of(FinishReason.STOP), u3.get(1).finishReason(), "the third output stops");
        assertArrayEquals(new int[] {42, 42, 42}, u3.get(1).sequence().outputTokens());
        // Model length 8: a 6-token prompt generates 2 tokens, whatever max_tokens says.
        Sequence longOne = seq("long", range(1, 6), 5);
        s.add(longOne);
        step(s, 9);
        assertEquals(Optional.of(FinishReason.LENGTH), s.update(s.schedule(), new int[] {9}).getFirst().finishReason());
        assertEquals(8, longOne.numTokens());
    }

    @Test
    void addRejectsWhatCanNeverRunAndBoundsTheQueue() {
        Scheduler s = create(new SchedulerConfig(4, 16, 4, 16, 3, 2, true));
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> s.add(seq("x", range(1, 17), 1)));
        assertEquals("the prompt has 17 tokens, more than the maximum model length 16", tooLong.getMessage());
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> s.add(seq("y", range(1, 10), 5)));
        assertEquals("the request may need 14 tokens of KV cache (10 prompt + 5 max tokens), the pool holds 12",
                tooBig.getMessage());
        s.add(seq("a", range(1, 10), 3));
        assertThrows(IllegalArgumentException.class, () -> s.add(seq("a", range(1, 2), 1)), "duplicate id");
        s.add(seq("b", range(1, 2), 1));
        QueueFullException full = assertThrows(QueueFullException.class, () -> s.add(seq("c", range(1, 2), 1)));
        assertEquals(2, full.maxWaiting());
        Sequence started = seq("d", range(1, 2), 1);
        s.abort("a");
        s.abort("b");
        s.add(started);
        step(s, 5);
        assertThrows(IllegalArgumentException.class, () -> s.add(started), "not new");
        assertThrows(IllegalArgumentException.class, () -> s.update(s.schedule(), new int[] {1}));
    }
}
