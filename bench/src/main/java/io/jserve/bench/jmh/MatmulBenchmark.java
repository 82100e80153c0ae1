package io.jserve.bench.jmh;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.cpu.CpuBackend;
import io.jserve.kernels.cpu.Q8Path;
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

/**
 * The CPU matmul for every weight type and Q8_0 path, at decode (1, 8 tokens) and prefill (128 tokens) batch
 * sizes, on one or two threads. The weights are {@code MATRICES} matrices of 2048 x 2048 visited in turn, 2 MB
 * to 16 MB each, so at least the larger types come from DRAM as in decoding; GOPS = 2 * 2048 * 2048 * batch /
 * time. Run: {@code java -cp <bench classpath> org.openjdk.jmh.Main MatmulBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatmulBenchmark {
    private static final int ROWS = 2048;
    private static final int COLS = 2048;
    private static final int MATRICES = 16;

    /** Weight type, and for Q8_0 the path: float activations, 8-bit in Java, 8-bit in C. */
    @Param({"Q8_0/native", "Q8_0/int8", "Q8_0/float", "F32", "F16", "BF16", "Q4_0", "Q4_K", "Q6_K"})
    public String kernel;

    @Param({"1", "8", "128"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private CpuBackend cpu;
    private Weight[] weights;
    private Tensor x;
    private Tensor out;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = kernel.split("/");
        GgmlType type = GgmlType.valueOf(parts[0]);
        Q8Path path = parts.length == 1 ? Q8Path.INT8_NATIVE : switch (parts[1]) {
            case "float" -> Q8Path.FLOAT;
            case "int8" -> Q8Path.INT8;
            default -> Q8Path.INT8_NATIVE;
        };
        cpu = new CpuBackend(threads, path);
        weights = new Weight[MATRICES];
        for (int i = 0; i < MATRICES; i++) {
            weights[i] = cpu.load(BenchWeights.random(type, ROWS, COLS, i));
        }
        x = cpu.allocate(batch, COLS);
        cpu.upload(BenchWeights.gaussian(batch * COLS, 99), x);
        out = cpu.allocate(batch, ROWS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        cpu.close();
    }

    @Benchmark
    public Tensor matmul() {
        Weight w = weights[next];
        next = (next + 1) % MATRICES;
        cpu.matmul(w, x, out);
        return out;
    }
}
