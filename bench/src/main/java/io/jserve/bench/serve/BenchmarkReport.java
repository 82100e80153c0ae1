package io.jserve.bench.serve;

import java.util.List;
import java.util.Locale;

/**
 * The figures {@code vllm bench serve} reports, computed from the requests' results: request and token
 * throughput, and TTFT, TPOT, ITL and end-to-end latency (mean, median, p99, in milliseconds).
 */
public record BenchmarkReport(int completed, int failed, double durationSeconds, long totalInput, long totalOutput,
                              Distribution ttftMs, Distribution tpotMs, Distribution itlMs, Distribution e2elMs) {

    /** Aggregates {@code results} of a run that took {@code durationNanos} of wall time. */
    public static BenchmarkReport of(List<RequestResult> results, long durationNanos) {
        List<RequestResult> ok = results.stream().filter(RequestResult::success).toList();
        return new BenchmarkReport(ok.size(), results.size() - ok.size(), durationNanos / 1e9,
                ok.stream().mapToLong(RequestResult::promptTokens).sum(),
                ok.stream().mapToLong(RequestResult::outputTokens).sum(),
                Distribution.of(ok.stream().mapToDouble(r -> r.ttftNanos() / 1e6).toArray()),
                Distribution.of(ok.stream().mapToDouble(RequestResult::tpotNanos).filter(v -> !Double.isNaN(v))
                        .map(v -> v / 1e6).toArray()),
                Distribution.of(ok.stream().flatMap(r -> r.itlNanos().stream()).mapToDouble(v -> v / 1e6).toArray()),
                Distribution.of(ok.stream().mapToDouble(r -> r.e2eNanos() / 1e6).toArray()));
    }

    public double requestThroughput() {
        return completed / durationSeconds;
    }

    public double outputThroughput() {
        return totalOutput / durationSeconds;
    }

    public double totalTokenThroughput() {
        return (totalInput + totalOutput) / durationSeconds;
    }

    /** The report in {@code vllm bench serve}'s layout. */
    public String format(int maxConcurrency) {
        StringBuilder out = new StringBuilder();
        out.append("============ Serving Benchmark Result ============\n");
        line(out, "Successful requests:", Integer.toString(completed));
        line(out, "Failed requests:", Integer.toString(failed));
        line(out, "Maximum request concurrency:", Integer.toString(maxConcurrency));
        line(out, "Benchmark duration (s):", fmt(durationSeconds));
        line(out, "Total input tokens:", Long.toString(totalInput));
        line(out, "Total generated tokens:", Long.toString(totalOutput));
        line(out, "Request throughput (req/s):", fmt(requestThroughput()));
        line(out, "Output token throughput (tok/s):", fmt(outputThroughput()));
        line(out, "Total Token throughput (tok/s):", fmt(totalTokenThroughput()));
        section(out, "Time to First Token", "TTFT", ttftMs);
        section(out, "Time per Output Token (excl. 1st token)", "TPOT", tpotMs);
        section(out, "Inter-token Latency", "ITL", itlMs);
        section(out, "End-to-end Latency", "E2EL", e2elMs);
        out.append("==================================================\n");
        return out.toString();
    }

    private static void section(StringBuilder out, String title, String name, Distribution d) {
        int pad = Math.max(0, 50 - title.length() - 2);
        out.append("-".repeat(pad / 2)).append(title).append("-".repeat(pad - pad / 2)).append('\n');
        line(out, "Mean " + name + " (ms):", fmt(d.mean()));
        line(out, "Median " + name + " (ms):", fmt(d.median()));
        line(out, "P99 " + name + " (ms):", fmt(d.p99()));
    }

    private static void line(StringBuilder out, String label, String value) {
        out.append(String.format(Locale.ROOT, "%-40s%-10s%n", label, value));
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
