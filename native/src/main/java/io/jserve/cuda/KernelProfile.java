package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import jcuda.Pointer;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;
import jcuda.driver.CUfunction;
import jcuda.driver.CUstream;

/**
 * Per-kernel device time, for finding where a step goes (enabled with {@code -Djserve.cuda.profile=true}, which
 * also turns graphs off): every launch is bracketed by two events, and the elapsed times are summed per kernel
 * name and grid once the stream has been synchronized. A spin kernel queued first holds the GPU until the host
 * has queued the whole batch, so the events time the kernels rather than the host's launch rate.
 * {@link #report()} prints the table.
 */
final class KernelProfile implements AutoCloseable {
    private record Pending(String label, CUevent start, CUevent stop) {
    }

    private record Total(long count, double ms) {
    }

    private final CUstream stream;
    private final Supplier<CUfunction> spin;
    private CUfunction spinFunction;
    private final List<Pending> pending = new ArrayList<>();
    private final List<CUevent> free = new ArrayList<>();
    private final Map<String, Total> totals = new TreeMap<>();

    KernelProfile(CUstream stream, Supplier<CUfunction> spin) {
        this.stream = stream;
        this.spin = spin;
    }

    void launch(LaunchQueue queue) {
        if (spinFunction == null) {
            spinFunction = spin.get();
        }
        long cycles = Math.min(400_000_000L, queue.size() * 60_000L);  // ~30 us of host time per launch at 2 GHz
        cuLaunchKernel(spinFunction, 1, 1, 1, 32, 1, 1, 0, stream,
                Pointer.to(Pointer.to(new long[] {cycles})), null);
        for (LaunchQueue.Launch l : queue.launches()) {
            CUevent start = event();
            CUevent stop = event();
            cuEventRecord(start, stream);
            cuLaunchKernel(l.function(), l.gridX(), l.gridY(), l.gridZ(), l.block(), 1, 1, 0, stream,
                    LaunchQueue.parameters(l.args()), null);
            cuEventRecord(stop, stream);
            pending.add(new Pending("%s [%d,%d,%d]".formatted(l.name(), l.gridX(), l.gridY(), l.gridZ()), start,
                    stop));
        }
    }

    /** Accumulates the events recorded so far; call after the stream was synchronized. */
    void collect() {
        float[] ms = {0};
        for (Pending p : pending) {
            cuEventElapsedTime(ms, p.start, p.stop);
            totals.merge(p.label, new Total(1, ms[0]), (a, b) -> new Total(a.count + b.count, a.ms + b.ms));
            free.add(p.start);
            free.add(p.stop);
        }
        pending.clear();
    }

    private CUevent event() {
        if (!free.isEmpty()) {
            return free.removeLast();
        }
        CUevent e = new CUevent();
        cuEventCreate(e, CUevent_flags.CU_EVENT_DEFAULT);
        return e;
    }

    /** Kernels by total time, with call counts and mean microseconds per call. */
    String report() {
        StringBuilder sb = new StringBuilder("| kernel [grid] | calls | total ms | us/call |\n|---|---|---|---|\n");
        double all = totals.values().stream().mapToDouble(Total::ms).sum();
        totals.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue().ms, a.getValue().ms))
                .forEach(e -> sb.append("| %s | %d | %.3f | %.1f |%n".formatted(e.getKey(), e.getValue().count,
                        e.getValue().ms, e.getValue().ms * 1e3 / e.getValue().count)));
        sb.append("| all kernels | | %.3f | |%n".formatted(all));
        return sb.toString();
    }

    @Override
    public void close() {
        for (Pending p : pending) {
            free.add(p.start);
            free.add(p.stop);
        }
        pending.clear();
        for (CUevent e : free) {
            cuEventDestroy(e);
        }
        free.clear();
    }
}
