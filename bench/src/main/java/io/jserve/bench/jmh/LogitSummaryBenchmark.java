package io.jserve.bench.jmh;

import io.jserve.kernels.LogitSummaries;
import io.jserve.kernels.LogitSummary;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The host's logit summary of one row's candidates ({@link LogitSummaries#summarizeRow}: the 64 best logits) at
 * TinyLlama's and Llama-3's vocabularies, against the argmax scan the greedy sampler did before summaries.
 * Gaussian logits, as a model's. (The normalizers' vector exp ran about 7x slower under JMH's harness than in the
 * engine's own call path, so whole-row sampling is measured by {@code bench.cpu.SamplingBench} instead.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LogitSummaryBenchmark {
    @Param({"32000", "128256"})
    public int vocab;

    private float[] row;
    private LogitSummary greedy;

    @Setup(Level.Trial)
    public void setUp() {
        row = BenchWeights.gaussian(vocab, 7);
        greedy = new LogitSummary(64);
        greedy.reset(1, vocab);
    }

    @Benchmark
    public int candidates() {
        LogitSummaries.summarizeRow(row, 0, greedy, 0);
        return greedy.id(0, 0);
    }

    @Benchmark
    public int argmax() {
        int best = 0;
        for (int i = 1; i < vocab; i++) {
            if (row[i] > row[best]) {
                best = i;
            }
        }
        return best;
    }
}
