package io.jserve.bench.jmh;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
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

/**
 * CPU paged attention of one layer for {@code batch} decoding sequences of {@code context} cached positions,
 * at TinyLlama's shape (32 query heads, 4 KV heads, head size 64) and stories260K's (8 / 4 / 8).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class AttentionBenchmark {
    private static final int BLOCK = 16;

    /** heads/kvHeads/headDim. */
    @Param({"32/4/64", "8/4/8"})
    public String shape;

    @Param({"1", "8"})
    public int batch;

    @Param({"256", "1024"})
    public int context;

    private CpuBackend cpu;
    private KvCacheStorage kv;
    private StepInputs step;
    private AttentionConfig config;
    private Tensor q;
    private Tensor out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = shape.split("/");
        int heads = Integer.parseInt(s[0]);
        int kvHeads = Integer.parseInt(s[1]);
        int headDim = Integer.parseInt(s[2]);
        cpu = new CpuBackend(Runtime.getRuntime().availableProcessors());
        int blocksPerSeq = context / BLOCK + 1;
        kv = cpu.allocateKvCache(new KvCacheShape(1, blocksPerSeq * batch, BLOCK, kvHeads, headDim));
        int[] positions = new int[batch];
        int[] slots = new int[batch];
        int[] starts = new int[batch + 1];
        int[] lens = new int[batch];
        int[] tables = new int[batch * blocksPerSeq];
        for (int b = 0; b < batch; b++) {
            positions[b] = context;
            for (int i = 0; i < blocksPerSeq; i++) {
                tables[b * blocksPerSeq + i] = b * blocksPerSeq + i;
            }
            slots[b] = tables[b * blocksPerSeq + context / BLOCK] * BLOCK + context % BLOCK;
            starts[b + 1] = b + 1;
            lens[b] = context + 1;
        }
        AttentionMetadata m = new AttentionMetadata(positions, starts, lens, tables, blocksPerSeq, slots, BLOCK);
        step = cpu.prepareStep(new int[batch], m);
        config = new AttentionConfig(heads, kvHeads, headDim, (float) (1 / Math.sqrt(headDim)));
        q = cpu.allocate(batch, heads * headDim);
        cpu.upload(BenchWeights.gaussian(batch * heads * headDim, 1), q);
        out = cpu.allocate(batch, heads * headDim);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        kv.close();
        cpu.close();
    }

    @Benchmark
    public Tensor attention() {
        cpu.attention(kv, 0, q, step, config, out);
        return out;
    }
}
