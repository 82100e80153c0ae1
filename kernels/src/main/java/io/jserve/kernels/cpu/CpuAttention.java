package io.jserve.kernels.cpu;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.host.HostKvCache;
import io.jserve.kernels.host.HostStepInputs;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.host.Shapes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Paged causal attention on the CPU, with the config's sliding window and score soft-cap. Work items are
 * (query token, KV head) pairs, split across the workers; an item reads each cached key and value it sees once
 * for all the query heads of its group.
 *
 * <p>Each query's result depends only on its own data: positions are visited in increasing order, a score is a
 * dot over the head in a fixed order, the softmax sums in position order, and each output element accumulates
 * the values in position order. So a query gives the same bits whatever step, chunk or worker it falls in.
 */
final class CpuAttention {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    private static final long PARALLEL_MIN_WORK = 1 << 15;

    private final HostKvCache kv;
    private final int layer;
    private final AttentionMetadata m;
    private final AttentionConfig config;
    private final int[] seqOf;

    private CpuAttention(HostKvCache kv, int layer, HostStepInputs step, AttentionConfig config) {
        this.kv = kv;
        this.layer = layer;
        this.m = step.metadata();
        this.config = config;
        this.seqOf = step.sequenceOfToken();
    }

    static void run(WorkerPool pool, Scratch[] scratch, HostKvCache kv, int layer, HostStepInputs step,
                    AttentionConfig config, HostTensor q, HostTensor out) {
        AttentionMetadata m = step.metadata();
        int n = step.numTokens();
        Shapes.attention(config, kv.shape(), m.blockSize());
        Shapes.heads(q, n, config.numHeads(), config.headDim(), "attention query");
        Shapes.sameShape("attention output", q, out);
        Shapes.noAlias(q, out, "attention");
        CpuAttention a = new CpuAttention(kv, layer, step, config);
        int items = n * config.numKvHeads();
        int visible = config.slidingWindow() == 0
                ? m.maxContextLen() : Math.min(m.maxContextLen(), config.slidingWindow());
        long work = (long) items * visible * config.headDim() * config.groupSize();
        int parts = work < PARALLEL_MIN_WORK ? 1 : Math.min(pool.size(), items);
        if (parts == 1) {
            a.items(0, items, q, out, scratch[0]);
            return;
        }
        pool.run(worker -> {
            if (worker < parts) {
                a.items(items * worker / parts, items * (worker + 1) / parts, q, out, scratch[worker]);
            }
        });
    }

    private void items(int first, int end, HostTensor q, HostTensor out, Scratch scratch) {
        for (int item = first; item < end; item++) {
            int t = item / config.numKvHeads();
            int kvHead = item % config.numKvHeads();
            int s = seqOf[t];
            int pos = m.contextLens()[s] - (m.queryStarts()[s + 1] - t);
            int from = config.firstVisible(pos); // the sliding window's first position, 0 without one
            int len = pos + 1 - from;
            long[] at = scratch.offsets(len);
            long headBytes = (long) kvHead * config.headDim() * Float.BYTES;
            for (int j = from; j <= pos; j++) {
                int block = m.blockTables()[s * m.blockTableStride() + j / m.blockSize()];
                at[j - from] = kv.slotOffset(layer, block * m.blockSize() + j % m.blockSize()) + headBytes;
            }
            for (int g = 0; g < config.groupSize(); g++) {
                int h = kvHead * config.groupSize() + g;
                long qo = q.rowOffset(t) + (long) h * config.headDim() * Float.BYTES;
                long oo = out.rowOffset(t) + (long) h * config.headDim() * Float.BYTES;
                head(q.segment(), qo, out.segment(), oo, at, len, scratch);
            }
        }
    }

    /** One query head over {@code len} positions whose K/V byte offsets are {@code at}. */
    private void head(MemorySegment qs, long qo, MemorySegment os, long oo, long[] at, int len, Scratch scratch) {
        int d = config.headDim();
        MemorySegment keys = kv.keys();
        MemorySegment values = kv.values();
        float[] scores = scratch.scores(len);
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            float dot;
            if (d % L == 0) {
                FloatVector acc = FloatVector.zero(F);
                for (int i = 0; i < d; i += L) {
                    acc = FloatVector.fromMemorySegment(F, qs, qo + 4L * i, NATIVE)
                            .fma(FloatVector.fromMemorySegment(F, keys, at[j] + 4L * i, NATIVE), acc);
                }
                acc.intoArray(scratch.lanes, 0);
                dot = DotKernel.sumLanes(scratch.lanes);
            } else {
                dot = 0f;
                for (int i = 0; i < d; i++) {
                    dot = Math.fma(qs.get(FLOAT, qo + 4L * i), keys.get(FLOAT, at[j] + 4L * i), dot);
                }
            }
            scores[j] = config.capScore(dot * config.scale());
            max = Math.max(max, scores[j]);
        }
        float sum = 0f;
        for (int j = 0; j < len; j++) {
            scores[j] = (float) Math.exp(scores[j] - max);
            sum += scores[j];
        }
        if (d % L == 0) {
            for (int i = 0; i < d; i += L) {
                FloatVector acc = FloatVector.zero(F);
                for (int j = 0; j < len; j++) {
                    acc = FloatVector.fromMemorySegment(F, values, at[j] + 4L * i, NATIVE)
                            .fma(FloatVector.broadcast(F, scores[j]), acc);
                }
                acc.div(sum).intoMemorySegment(os, oo + 4L * i, NATIVE);
            }
        } else {
            for (int i = 0; i < d; i++) {
                float acc = 0f;
                for (int j = 0; j < len; j++) {
                    acc = Math.fma(values.get(FLOAT, at[j] + 4L * i), scores[j], acc);
                }
                os.set(FLOAT, oo + 4L * i, acc / sum);
            }
        }
    }
}
