package io.jserve.scheduler;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SchedulerConfigTest {
    @Test
    void defaults() {
        SchedulerConfig c = SchedulerConfig.of(4096, 1000);
        assertEquals(new SchedulerConfig(256, 2048, 16, 4096, 1000, 1024, true), c);
        assertEquals(16_000, c.kvCapacityTokens());
        assertEquals(new SchedulerConfig(4, 8, 16, 4096, 1000, 1024, true), c.withBatch(4, 8));
        assertEquals(new SchedulerConfig(256, 2048, 4, 4096, 7, 1024, true), c.withBlocks(4, 7));
        assertEquals(new SchedulerConfig(256, 2048, 16, 4096, 1000, 3, false), c.withMaxWaiting(3).withPrefixCaching(false));
    }

    @Test
    void rejectsBadValuesWithClearMessages() {
        assertMessage("maxNumSeqs must be at least 1, got 0", () -> new SchedulerConfig(0, 8, 16, 64, 4, 1, true));
        assertMessage("maxNumBatchedTokens (8) must be at least maxNumSeqs (9), so that every running sequence can decode",
                () -> new SchedulerConfig(9, 8, 16, 64, 4, 1, true));
        assertMessage("blockSize must be at least 1, got 0", () -> new SchedulerConfig(1, 8, 0, 64, 4, 1, true));
        assertMessage("maxModelLen must be at least 1, got -1", () -> new SchedulerConfig(1, 8, 16, -1, 4, 1, true));
        assertMessage("numKvBlocks must be at least 1, got 0", () -> new SchedulerConfig(1, 8, 16, 64, 0, 1, true));
        assertMessage("maxWaiting must be at least 1 (every new sequence waits before it runs), got 0",
                () -> new SchedulerConfig(1, 8, 16, 64, 4, 0, true));
    }

    private static void assertMessage(String message, Runnable r) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertEquals(message, e.getMessage());
    }

    @Test
    void statusesMapToFinishReasons() {
        assertEquals(SequenceStatus.FINISHED_LENGTH, SequenceStatus.finishedBy(FinishReason.LENGTH));
        assertEquals(FinishReason.ABORT, SequenceStatus.FINISHED_ABORTED.finishReason().orElseThrow());
        assertTrue(SequenceStatus.PREEMPTED.isWaiting());
        assertTrue(SequenceStatus.RUNNING.finishReason().isEmpty());
    }
}
