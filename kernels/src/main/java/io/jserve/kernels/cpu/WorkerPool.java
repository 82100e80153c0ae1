package io.jserve.kernels.cpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that share one operation at a time: the operation is cut into chunks (ranges
 * of rows, say) and every thread, the calling thread included, claims chunks from a shared counter until none
 * is left. The caller then waits only for chunks already being computed by others.
 *
 * <p>Why claims rather than one fixed share per thread: on a busy machine a worker may be descheduled for a
 * whole time slice; with fixed shares the caller would wait for it, with claims it takes the worker's chunks
 * itself. Handing work over costs about a microsecond when a worker is spinning, so operations split only when
 * their work is well above that ({@link #parts}). Idle workers spin briefly, since operations follow each other
 * within microseconds during a forward pass, then park so an idle server burns no CPU; only parked workers are
 * unparked (no system call otherwise).
 *
 * <p>Only one thread (the engine thread) may call {@link #run} at a time, as for the backend itself. Which
 * thread computes a chunk must not change its result (every caller's chunks are independent).
 */
final class WorkerPool implements AutoCloseable {

    /** A chunked operation: computes chunk {@code chunk} on the thread numbered {@code worker} (for scratch). */
    @FunctionalInterface
    interface Job {
        void run(int chunk, int worker);
    }

    private static final long SPIN_NANOS = 200_000;

    /** One operation: its chunks, the next unclaimed one, and how many are finished. */
    private static final class Task {
        private static final VarHandle NEXT;
        private static final VarHandle DONE;

        static {
            try {
                MethodHandles.Lookup l = MethodHandles.lookup();
                NEXT = l.findVarHandle(Task.class, "next", int.class);
                DONE = l.findVarHandle(Task.class, "done", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final Job job;
        final int chunks;
        @SuppressWarnings("unused") // through NEXT
        private volatile int next;
        @SuppressWarnings("unused") // through DONE
        private volatile int done;
        volatile Throwable failure;

        Task(Job job, int chunks) {
            this.job = job;
            this.chunks = chunks;
        }

        /** Claims and runs chunks until none is left. */
        void work(int worker) {
            int c;
            while ((c = (int) NEXT.getAndAdd(this, 1)) < chunks) {
                try {
                    job.run(c, worker);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                }
                DONE.getAndAdd(this, 1);
            }
        }

        boolean finished() {
            return (int) DONE.getVolatile(this) == chunks;
        }
    }

    private final int size;
    private final boolean alwaysSplit;
    private final Thread[] threads;
    /** Per pool thread: whether it is parked (or about to park) and needs an unpark to see a new task. */
    private final AtomicIntegerArray parked;
    private volatile Task task;
    private volatile long generation;
    private volatile boolean closed;

    WorkerPool(int size) {
        this(size, false);
    }

    /** A pool of {@code size} threads, the caller's included; {@code alwaysSplit} ignores the work thresholds. */
    WorkerPool(int size, boolean alwaysSplit) {
        if (size < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one thread, got " + size);
        }
        this.size = size;
        this.alwaysSplit = alwaysSplit;
        this.parked = new AtomicIntegerArray(size - 1);
        this.threads = new Thread[size - 1];
        for (int i = 1; i < size; i++) {
            int index = i;
            threads[i - 1] = Thread.ofPlatform().daemon().name("jserve-cpu-" + i).start(() -> loop(index));
        }
    }

    /** Number of threads, the caller included. */
    int size() {
        return size;
    }

    /**
     * How many chunks an operation of {@code work} units over {@code items} independent items should be cut
     * into: 1 (the caller alone, no hand-off) below {@code minWork}, else one per {@code minWork / 2} units
     * (so a late worker still finds chunks), at most {@code 8 * size} and at most {@code items}.
     */
    int parts(long work, long minWork, int items) {
        if (items <= 1 || size == 1 || (!alwaysSplit && work < minWork)) {
            return 1;
        }
        long byWork = alwaysSplit ? size : work / Math.max(1, minWork / 2);
        return (int) Math.max(Math.min(size, items), Math.min(Math.min(byWork, 8L * size), items));
    }

    /** Runs chunks {@code 0 .. chunks-1} of {@code job} on the pool and returns when all are done. */
    void run(int chunks, Job job) {
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (size == 1 || chunks == 1) {
            for (int c = 0; c < chunks; c++) {
                job.run(c, 0);
            }
            return;
        }
        Task t = new Task(job, chunks);
        this.task = t;
        generation++; // publishes the task: workers read it after seeing the new generation
        for (int i = 0; i < threads.length; i++) {
            if (parked.get(i) != 0) {
                LockSupport.unpark(threads[i]);
            }
        }
        t.work(0);
        long spins = 0;
        while (!t.finished()) { // only chunks that another thread is computing right now
            if (++spins < 10_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // the other thread may be waiting for this core
            }
        }
        Throwable f = t.failure;
        if (f instanceof RuntimeException e) {
            throw e;
        } else if (f instanceof Error e) {
            throw e;
        } else if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    private void loop(int index) {
        long seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    // announce before the last check, so a task published after it is followed by an unpark
                    parked.set(index - 1, 1);
                    if (generation == seen && !closed) {
                        LockSupport.park(this);
                    }
                    parked.set(index - 1, 0);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            Task t = task; // a task published after this generation is picked up on the next turn
            t.work(index);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
