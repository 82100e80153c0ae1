package io.jserve.bench.serve;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DistributionTest {
    @Test
    void matchesNumpy() {
        // numpy: mean 2.5, median 2.5, std 1.118033988749895, percentile(.., 99) 3.97
        Distribution d = Distribution.of(new double[]{4, 1, 3, 2});
        assertEquals(2.5, d.mean(), 1e-12);
        assertEquals(2.5, d.median(), 1e-12);
        assertEquals(1.118033988749895, d.std(), 1e-12);
        assertEquals(3.97, d.p99(), 1e-12);
        assertEquals(new Distribution(0, 0, 0, 0, 0), Distribution.of(new double[0]));
    }

    @Test
    void reportAggregatesLikeVllm() {
        List<RequestResult> results = List.of(
                new RequestResult(true, 10, 5, 100_000_000L, List.of(10_000_000L, 20_000_000L), 180_000_000L, ""),
                new RequestResult(true, 10, 3, 50_000_000L, List.of(30_000_000L), 110_000_000L, ""),
                RequestResult.failed("HTTP 429"));
        BenchmarkReport report = BenchmarkReport.of(results, 2_000_000_000L);
        assertEquals(2, report.completed());
        assertEquals(1, report.failed());
        assertEquals(20, report.totalInput());
        assertEquals(8, report.totalOutput());
        assertEquals(1.0, report.requestThroughput(), 1e-12);
        assertEquals(4.0, report.outputThroughput(), 1e-12);
        assertEquals(14.0, report.totalTokenThroughput(), 1e-12);
        assertEquals(75.0, report.ttftMs().mean(), 1e-9);
        // TPOT: (180-100)/4 = 20 ms and (110-50)/2 = 30 ms
        assertEquals(25.0, report.tpotMs().mean(), 1e-9);
        assertEquals(20.0, report.itlMs().median(), 1e-9);
        assertEquals(145.0, report.e2elMs().mean(), 1e-9);
    }
}
