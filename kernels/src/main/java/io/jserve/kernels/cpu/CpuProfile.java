package io.jserve.kernels.cpu;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A step profile: wall time per kind of work (each matmul by weight, attention, norms, ...), collected by the CPU
 * backend when the system property {@code jserve.profile=true} is set, and open to the engine for its own parts
 * (sampling, scheduling, HTTP) through {@link #add}. With the property unset nothing is timed: the backend checks
 * a static final flag, which the JIT folds away.
 *
 * <p>Used by the engine thread only (like the backend), so it takes no locks.
 */
public final class CpuProfile {
    /** Whether backends time their operations ({@code -Djserve.profile=true}). */
    public static final boolean ENABLED = Boolean.getBoolean("jserve.profile");

    /** Per kind: {total nanoseconds, calls}. */
    private final Map<String, long[]> entries = new LinkedHashMap<>();

    /** Adds {@code nanos} of work of kind {@code what} (one call). */
    public void add(String what, long nanos) {
        long[] e = entries.computeIfAbsent(what, k -> new long[2]);
        e[0] += nanos;
        e[1]++;
    }

    /** Adds the time since {@code startNanos} ({@link System#nanoTime()}) to kind {@code what}. */
    public void since(String what, long startNanos) {
        add(what, System.nanoTime() - startNanos);
    }

    /** Forgets everything collected so far (e.g. after warm-up). */
    public void reset() {
        entries.clear();
    }

    /** Total nanoseconds of kind {@code what}, 0 when none was recorded. */
    public long nanos(String what) {
        long[] e = entries.get(what);
        return e == null ? 0 : e[0];
    }

    /** Calls recorded for kind {@code what}. */
    public long calls(String what) {
        long[] e = entries.get(what);
        return e == null ? 0 : e[1];
    }

    /**
     * A Markdown table, longest first: kind, total ms, share of the total, calls, mean microseconds per call;
     * {@code perStep} divides the totals (e.g. by the number of decode steps) to give ms per step.
     */
    public String table(int perStep) {
        if (perStep < 1) {
            throw new IllegalArgumentException("steps must be at least 1, got " + perStep);
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(entries.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]));
        long total = rows.stream().mapToLong(e -> e.getValue()[0]).sum();
        StringBuilder sb = new StringBuilder();
        sb.append("| part | ms per step | share | calls per step | us per call |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, long[]> e : rows) {
            long nanos = e.getValue()[0];
            long calls = e.getValue()[1];
            sb.append("| %s | %.3f | %.1f %% | %.1f | %.2f |%n".formatted(e.getKey(), nanos / 1e6 / perStep,
                    total == 0 ? 0 : 100.0 * nanos / total, (double) calls / perStep, nanos / 1e3 / calls));
        }
        sb.append("| total | %.3f | 100 %% | | |%n".formatted(total / 1e6 / perStep));
        return sb.toString();
    }

    /** The part name of a weight: {@code blk.3.attn_q.weight} gives {@code matmul attn_q}. */
    static String matmulKind(String weightName) {
        String n = weightName;
        if (n.startsWith("blk.")) {
            int dot = n.indexOf('.', 4);
            n = dot < 0 ? n : n.substring(dot + 1);
        }
        if (n.endsWith(".weight")) {
            n = n.substring(0, n.length() - ".weight".length());
        }
        return "matmul " + n;
    }
}
