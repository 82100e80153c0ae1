package io.jserve.bench.jmh;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.cpu.CpuBackend;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/** The CPU backend's row operations at TinyLlama's widths (2048, FFN 5632, 32 heads of 64) for 1..128 tokens. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class RowOpsBenchmark {
    @Param({"1", "8", "128"})
    public int tokens;

    private CpuBackend cpu;
    private Tensor x;
    private Tensor y;
    private Tensor gate;
    private Tensor up;
    private Weight norm;
    private StepInputs step;
    private final RopeConfig rope = new RopeConfig(64, 10000f, 1f, false);

    @Setup(Level.Trial)
    public void setUp() {
        cpu = new CpuBackend(Runtime.getRuntime().availableProcessors());
        x = cpu.allocate(tokens, 2048);
        y = cpu.allocate(tokens, 2048);
        cpu.upload(BenchWeights.gaussian(tokens * 2048, 1), x);
        cpu.upload(BenchWeights.gaussian(tokens * 2048, 2), y);
        gate = cpu.allocate(tokens, 5632);
        up = cpu.allocate(tokens, 5632);
        cpu.upload(BenchWeights.gaussian(tokens * 5632, 3), gate);
        cpu.upload(BenchWeights.gaussian(tokens * 5632, 4), up);
        norm = cpu.load(BenchWeights.random(GgmlType.F32, 1, 2048, 5));
        int[] positions = new int[tokens];
        int[] slots = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            positions[t] = t + 100;
            slots[t] = t;
        }
        int blocks = (tokens + 100) / 16 + 1;
        int[] table = new int[blocks];
        for (int i = 0; i < blocks; i++) {
            table[i] = i;
        }
        step = cpu.prepareStep(new int[tokens], new AttentionMetadata(positions, new int[] {0, tokens},
                new int[] {tokens + 100}, table, blocks, slots, 16));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }

    @Benchmark
    public Tensor rmsNorm() {
        cpu.rmsNorm(x, norm, 1e-5f, y);
        return y;
    }

    @Benchmark
    public Tensor siluMul() {
        cpu.siluMul(gate, up, up);
        return up;
    }

    @Benchmark
    public Tensor add() {
        cpu.add(x, y, y);
        return y;
    }

    @Benchmark
    public Tensor rope() {
        cpu.rope(x, 32, 64, rope, step);
        return x;
    }
}
