package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuGraphDestroy;
import static jcuda.driver.JCudaDriver.cuGraphExecDestroy;
import static jcuda.driver.JCudaDriver.cuGraphInstantiate;
import static jcuda.driver.JCudaDriver.cuGraphLaunch;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuStreamBeginCapture;
import static jcuda.driver.JCudaDriver.cuStreamEndCapture;

import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;

/**
 * CUDA graphs of repeated launch sequences. A decode step at a fixed batch size queues the same few hundred
 * launches with the same parameters every time (activation buffers, weights and the step-input buffer stay at
 * fixed addresses; the values that change live in device memory). The context flushes its queue every
 * {@link CudaContext#FLUSH_EVERY} launches (so the GPU starts while the host is still queuing the step), and a
 * flushed sequence seen for the second time is captured once and then replayed with one {@code cuGraphLaunch},
 * which removes the per-kernel launch gaps. A graph is only ever replayed for a queue whose
 * {@link LaunchQueue#key() key} is equal, i.e. for exactly the launches it was captured from, so replay cannot
 * change results.
 */
final class GraphCache implements AutoCloseable {
    /** Sequences shorter than this are launched directly: a graph would save little. */
    static final int MIN_LAUNCHES = 8;
    private static final int CAPACITY = 512;
    private static final int SEEN_CAPACITY = 2048;

    private record Key(long[] values, int hash) {
        static Key of(long[] values) {
            return new Key(values, Arrays.hashCode(values));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.hash == hash && Arrays.equals(k.values, values);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final CUstream stream;
    private final Runnable beforeEvict;
    private final LinkedHashMap<Key, CUgraphExec> graphs = new LinkedHashMap<>(64, 0.75f, true);
    /** Keys flushed once and not captured yet, least recently seen first. */
    private final LinkedHashMap<Key, Boolean> seen = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Boolean> eldest) {
            return size() > SEEN_CAPACITY;
        }
    };
    private long replays;
    private long captures;

    /** {@code beforeEvict} waits for the stream, so no evicted graph is still running when it is destroyed. */
    GraphCache(CUstream stream, Runnable beforeEvict) {
        this.stream = stream;
        this.beforeEvict = beforeEvict;
    }

    /** Issues the queued launches: by replaying, by capturing then replaying, or directly. */
    void run(LaunchQueue queue) {
        if (queue.size() < MIN_LAUNCHES) {
            launchDirectly(queue);
            return;
        }
        Key key = Key.of(queue.key());
        CUgraphExec exec = graphs.get(key);
        if (exec == null && seen.remove(key) != null) {
            exec = capture(queue);
            graphs.put(key, exec);
            captures++;
            evictOverCapacity();
        } else if (exec == null) {
            seen.put(key, Boolean.TRUE);
        }
        if (exec == null) {
            launchDirectly(queue);
        } else {
            cuGraphLaunch(exec, stream);
            replays++;
        }
    }

    private CUgraphExec capture(LaunchQueue queue) {
        CUgraph graph = new CUgraph();
        cuStreamBeginCapture(stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        try {
            launchDirectly(queue);
        } finally {
            cuStreamEndCapture(stream, graph);
        }
        CUgraphExec exec = new CUgraphExec();
        cuGraphInstantiate(exec, graph, 0);
        cuGraphDestroy(graph);
        return exec;
    }

    private void launchDirectly(LaunchQueue queue) {
        for (LaunchQueue.Launch l : queue.launches()) {
            cuLaunchKernel(l.function(), l.gridX(), l.gridY(), l.gridZ(), l.block(), 1, 1, 0, stream,
                    LaunchQueue.parameters(l.args()), null);
        }
    }

    private void evictOverCapacity() {
        if (graphs.size() <= CAPACITY) {
            return;
        }
        beforeEvict.run();
        Iterator<Map.Entry<Key, CUgraphExec>> it = graphs.entrySet().iterator();
        while (graphs.size() > CAPACITY) {
            cuGraphExecDestroy(it.next().getValue());
            it.remove();
        }
    }

    /** Graph launches so far (for tests and logs). */
    long replays() {
        return replays;
    }

    /** Graphs captured so far. */
    long captures() {
        return captures;
    }

    @Override
    public void close() {
        for (CUgraphExec exec : graphs.values()) {
            cuGraphExecDestroy(exec);
        }
        graphs.clear();
        seen.clear();
    }
}
