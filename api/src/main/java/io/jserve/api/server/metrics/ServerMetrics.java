package io.jserve.api.server.metrics;

import io.jserve.engine.EngineStats;
import io.jserve.scheduler.FinishReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The server's Prometheus metrics, named as vLLM names them with the {@code jserve:} prefix (Prometheus allows the
 * colon and Micrometer keeps it), so vLLM dashboards and autoscalers work after a prefix rename. Engine gauges and
 * cumulative counters are read from the engine's latest {@link EngineStats} at scrape time; latencies are
 * recorded by the request handlers. The full list is in {@code api/METRICS.md}.
 */
public final class ServerMetrics {
    public static final String PREFIX = "jserve:";

    private static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
        1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
    private static final double[] ITL_BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3,
        0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0};
    private static final double[] E2E_BUCKETS = {0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0,
        20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer timeToFirstToken;
    private final Timer interTokenLatency;
    private final Timer e2eLatency;
    private final Timer queueTime;
    private final Supplier<Optional<EngineStats>> stats;

    /** @param stats the engine's latest counters; empty while the model loads */
    public ServerMetrics(Supplier<Optional<EngineStats>> stats) {
        this.stats = stats;
        gauge("num_requests_running", "Requests in the running batch.", EngineStats::numRunning);
        gauge("num_requests_waiting", "Requests waiting to be scheduled.", EngineStats::numWaiting);
        gauge("kv_cache_usage_perc", "Fraction of KV-cache blocks in use, 0 to 1.", EngineStats::kvCacheUsage);
        gauge("kv_cache_waste_perc", "Fraction of KV slots held by running requests that hold no token, "
                + "averaged over every step so far, 0 to 1.", EngineStats::kvCacheWaste);
        counter("prefix_cache_queries", "Prompt tokens looked up in the prefix cache.",
                EngineStats::prefixCacheQueries);
        counter("prefix_cache_hits", "Prompt tokens found in the prefix cache.", EngineStats::prefixCacheHits);
        counter("num_preemptions", "Sequences preempted (recomputed later).", EngineStats::numPreemptions);
        counter("prompt_tokens", "Prompt tokens computed (prefix-cache hits excluded).",
                EngineStats::promptTokens);
        counter("generation_tokens", "Tokens generated.", EngineStats::generationTokens);
        timeToFirstToken = timer("time_to_first_token", "Time from arrival to the first generated token.",
                TTFT_BUCKETS);
        interTokenLatency = timer("inter_token_latency", "Time between consecutive generated tokens.", ITL_BUCKETS);
        e2eLatency = timer("e2e_request_latency", "Time from arrival to the last token.", E2E_BUCKETS);
        queueTime = timer("request_queue_time", "Time a request waited in the engine before its first step.",
                E2E_BUCKETS);
        for (FinishReason reason : FinishReason.values()) {
            finished(reason.apiName());
        }
    }

    // Function meters observe this object: Micrometer holds their state object weakly, and this one lives as long
    // as the server does.
    private void gauge(String name, String help, ToDoubleFunction<EngineStats> value) {
        Gauge.builder(PREFIX + name, this, m -> m.read(value)).description(help).register(registry);
    }

    private void counter(String name, String help, ToDoubleFunction<EngineStats> value) {
        FunctionCounter.builder(PREFIX + name, this, m -> m.read(value)).description(help).register(registry);
    }

    private double read(ToDoubleFunction<EngineStats> value) {
        return stats.get().map(value::applyAsDouble).orElse(0.0);
    }

    private Timer timer(String name, String help, double[] bucketsSeconds) {
        Duration[] slos = Arrays.stream(bucketsSeconds).mapToObj(s -> Duration.ofNanos(Math.round(s * 1e9)))
                .toArray(Duration[]::new);
        return Timer.builder(PREFIX + name).description(help).serviceLevelObjectives(slos).register(registry);
    }

    private Counter finished(String reason) {
        return Counter.builder(PREFIX + "request_success").description("Requests finished, by finish reason.")
                .tag("finished_reason", reason).register(registry);
    }

    /** Records the time to the first token of a choice. */
    public void recordTimeToFirstToken(long nanos) {
        timeToFirstToken.record(Duration.ofNanos(nanos));
    }

    /** Records the gap between two tokens of a choice. */
    public void recordInterTokenLatency(long nanos) {
        interTokenLatency.record(Duration.ofNanos(nanos));
    }

    /** Records a finished choice: its end-to-end latency, its time in the engine's queue and its finish reason ({@code stop}, {@code length}, …). */
    public void recordFinished(String finishReason, long e2eNanos, long queueNanos) {
        e2eLatency.record(Duration.ofNanos(e2eNanos));
        queueTime.record(Duration.ofNanos(queueNanos));
        finished(finishReason).increment();
    }

    /** Counts an HTTP response by route and status. */
    public void recordHttpResponse(String route, int status) {
        Counter.builder(PREFIX + "http_requests").description("HTTP responses, by route and status.")
                .tag("route", route).tag("status", Integer.toString(status)).register(registry).increment();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }
}
