package io.jserve.kernels.cpu;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.TestSteps;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.host.HostTensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * A query's attention output is bit-identical however its sequence's prompt is chunked (one prefill, two chunks,
 * one token per step) and whatever other sequence shares the step.
 */
class CpuAttentionChunkingTest {
    static final int TOKENS = 11;
    static final int[] TABLE = {6, 2, 9};
    static final int[] OTHER_TABLE = {4, 0, 8};

    @ParameterizedTest
    @ValueSource(ints = {8, 64})
    void outputDoesNotDependOnChunking(int headDim) {
        KvCacheShape shape = new KvCacheShape(1, 10, 4, 2, headDim);
        AttentionConfig config = new AttentionConfig(4, 2, headDim, 0.3f);
        int kvDim = shape.kvDim();
        int qDim = 4 * headDim;
        float[] k = TestWeights.gaussian(TOKENS * kvDim, 1);
        float[] v = TestWeights.gaussian(TOKENS * kvDim, 2);
        float[] q = TestWeights.gaussian(TOKENS * qDim, 3);
        try (CpuBackend cpu = new CpuBackend(2, Q8Path.fromSystemProperty(), true)) {
            float[] whole = attend(cpu, shape, config, new int[] {TOKENS}, k, v, q, false);
            assertArrayEquals(whole, attend(cpu, shape, config, new int[] {4, 7}, k, v, q, false), "two chunks");
            int[] ones = new int[TOKENS];
            Arrays.fill(ones, 1);
            assertArrayEquals(whole, attend(cpu, shape, config, ones, k, v, q, false), "one token per step");
            assertArrayEquals(whole, attend(cpu, shape, config, new int[] {3, 8}, k, v, q, true), "with a neighbour");
        }
    }

    /** Runs the sequence's tokens in steps of {@code chunks[i]} tokens and returns all their outputs in order. */
    private static float[] attend(CpuBackend cpu, KvCacheShape shape, AttentionConfig config, int[] chunks,
                                  float[] k, float[] v, float[] q, boolean withNeighbour) {
        int kvDim = shape.kvDim();
        int qDim = config.numHeads() * config.headDim();
        float[] result = new float[TOKENS * qDim];
        try (KvCacheStorage kv = cpu.allocateKvCache(shape)) {
            int done = 0;
            for (int n : chunks) {
                TestSteps steps = new TestSteps(4).seq(TABLE, done, n);
                int extra = withNeighbour ? 5 : 0;
                if (withNeighbour) {
                    steps.seq(OTHER_TABLE, 0, extra);
                }
                AttentionMetadata m = steps.build();
                StepInputs step = cpu.prepareStep(new int[n + extra], m);
                Tensor kt = tensor(cpu, slice(k, done, n, kvDim, extra), n + extra, kvDim);
                Tensor vt = tensor(cpu, slice(v, done, n, kvDim, extra), n + extra, kvDim);
                cpu.storeKv(kv, 0, kt, vt, step);
                Tensor qt = tensor(cpu, slice(q, done, n, qDim, extra), n + extra, qDim);
                HostTensor out = (HostTensor) cpu.allocate(n + extra, qDim);
                cpu.attention(kv, 0, qt, step, config, out);
                System.arraycopy(out.toArray(), 0, result, done * qDim, n * qDim);
                done += n;
            }
        }
        return result;
    }

    /** Rows {@code [from, from + n)} of {@code all}, followed by {@code extra} rows of other random values. */
    private static float[] slice(float[] all, int from, int n, int cols, int extra) {
        float[] out = Arrays.copyOf(Arrays.copyOfRange(all, from * cols, (from + n) * cols), (n + extra) * cols);
        float[] noise = TestWeights.gaussian(extra * cols, 77 + from);
        System.arraycopy(noise, 0, out, n * cols, extra * cols);
        return out;
    }

    private static Tensor tensor(CpuBackend cpu, float[] values, int rows, int cols) {
        Tensor t = cpu.allocate(rows, cols);
        cpu.upload(values, t);
        return t;
    }
}
