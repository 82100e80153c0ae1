package io.jserve.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkerPoolTest {

    @Test
    void runsEveryChunkOnceAndRethrowsFailures() {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicIntegerArray chunks = new AtomicIntegerArray(7);
            AtomicIntegerArray workers = new AtomicIntegerArray(3);
            for (int i = 0; i < 500; i++) {
                pool.run(7, (c, w) -> {
                    chunks.incrementAndGet(c);
                    workers.incrementAndGet(w);
                });
            }
            for (int c = 0; c < 7; c++) {
                assertEquals(500, chunks.get(c), "chunk " + c);
            }
            assertEquals(3500, workers.get(0) + workers.get(1) + workers.get(2));
            assertTrue(workers.get(0) > 0, "the caller claims chunks too");
            var e = assertThrows(IllegalStateException.class, () -> pool.run(5, (c, w) -> {
                if (c == 2) {
                    throw new IllegalStateException("chunk 2 failed");
                }
            }));
            assertEquals("chunk 2 failed", e.getMessage());
            pool.run(7, (c, w) -> chunks.incrementAndGet(c)); // still usable after a failure
            assertEquals(501, chunks.get(6));
        }
    }

    /** Workers that parked after their spin are woken by the next task (the parked flag closes the race). */
    @Test
    void wakesParkedWorkers() throws InterruptedException {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicIntegerArray chunks = new AtomicIntegerArray(4);
            for (int i = 0; i < 20; i++) {
                pool.run(4, (c, w) -> chunks.incrementAndGet(c));
                Thread.sleep(i % 4 == 0 ? 5 : 0); // 5 ms: well past the spin, so the workers park
            }
            for (int c = 0; c < 4; c++) {
                assertEquals(20, chunks.get(c), "chunk " + c);
            }
        }
    }

    /** The caller finishes alone when no worker shows up: a one-thread pool, and a worker kept busy. */
    @Test
    void theCallerDoesEveryChunkAWorkerDoesNotClaim() {
        try (WorkerPool single = new WorkerPool(1)) {
            AtomicIntegerArray workers = new AtomicIntegerArray(1);
            single.run(9, (c, w) -> workers.incrementAndGet(w));
            assertEquals(9, workers.get(0));
        }
    }

    @Test
    void splitsOnlyWorkAboveTheThreshold() {
        try (WorkerPool pool = new WorkerPool(2); WorkerPool always = new WorkerPool(3, true)) {
            assertEquals(1, pool.parts(999, 1000, 64));
            assertEquals(2, pool.parts(1000, 1000, 64));
            assertEquals(4, pool.parts(2000, 1000, 64)); // one chunk per half threshold
            assertEquals(16, pool.parts(1 << 30, 1000, 64)); // at most 8 per thread
            assertEquals(5, pool.parts(1 << 30, 1000, 5)); // at most one per item
            assertEquals(1, pool.parts(1 << 30, 1000, 1)); // one item cannot be split
            assertEquals(3, always.parts(1, 1000, 64));
            assertEquals(2, always.parts(1, 1000, 2));
        }
    }

    @Test
    void rejectsAnEmptyPoolAndUseAfterClose() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.run(2, (c, w) -> { }));
    }
}
