package io.jserve.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of platform threads that run one job at a time, each on its own share: the calling thread is
 * worker 0, the pool's threads are workers {@code 1 .. size-1}. One job costs one hand-off and one join (not one
 * per row). Idle workers spin briefly, since operations follow each other within microseconds during a forward
 * pass, then park so an idle server burns no CPU.
 *
 * <p>Only one thread (the engine thread) may call {@link #run} at a time, as for the backend itself.
 */
final class WorkerPool implements AutoCloseable {

    /** A job: what worker {@code worker} of {@code size} does. */
    @FunctionalInterface
    interface Job {
        void run(int worker);
    }

    private static final long SPIN_NANOS = 200_000;

    private final int size;
    private final Thread[] threads;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Job job;
    private volatile long generation;
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;

    WorkerPool(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a worker pool needs at least one thread, got " + size);
        }
        this.size = size;
        this.threads = new Thread[size - 1];
        for (int i = 1; i < size; i++) {
            int index = i;
            threads[i - 1] = Thread.ofPlatform().daemon().name("jserve-cpu-" + i).start(() -> loop(index));
        }
    }

    /** Number of workers, the caller included. */
    int size() {
        return size;
    }

    /** Runs {@code job} on every worker and returns when all are done; rethrows the first failure. */
    void run(Job job) {
        if (closed) {
            throw new IllegalStateException("worker pool is closed");
        }
        if (size == 1) {
            job.run(0);
            return;
        }
        failure = null;
        caller = Thread.currentThread();
        remaining.set(size - 1);
        this.job = job;
        generation++; // publishes the job: workers read it after seeing the new generation
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        Throwable own = null;
        try {
            job.run(0);
        } catch (Throwable t) {
            own = t;
        }
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (remaining.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.job = null;
        Throwable f = own != null ? own : failure;
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
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                job.run(index);
            } catch (Throwable t) {
                failure = t;
            }
            if (remaining.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
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
