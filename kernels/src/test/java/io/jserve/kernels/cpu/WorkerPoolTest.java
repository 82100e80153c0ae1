package io.jserve.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WorkerPoolTest {

    @Test
    void runsEveryWorkerOncePerJobAndRethrowsFailures() {
        try (WorkerPool pool = new WorkerPool(3)) {
            AtomicIntegerArray counts = new AtomicIntegerArray(3);
            for (int i = 0; i < 500; i++) {
                pool.run(counts::incrementAndGet);
            }
            for (int w = 0; w < 3; w++) {
                assertEquals(500, counts.get(w), "worker " + w);
            }
            var e = assertThrows(IllegalStateException.class, () -> pool.run(w -> {
                if (w == 2) {
                    throw new IllegalStateException("worker 2 failed");
                }
            }));
            assertEquals("worker 2 failed", e.getMessage());
            pool.run(counts::incrementAndGet); // still usable after a failure
            assertEquals(501, counts.get(1));
        }
    }

    @Test
    void rejectsAnEmptyPoolAndUseAfterClose() {
        assertThrows(IllegalArgumentException.class, () -> new WorkerPool(0));
        WorkerPool pool = new WorkerPool(2);
        pool.close();
        assertThrows(IllegalStateException.class, () -> pool.run(w -> { }));
    }
}
