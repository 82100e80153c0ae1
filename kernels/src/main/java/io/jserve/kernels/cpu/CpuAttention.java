package io.jserve.kernels.cpu;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.VectorExp;
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
    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Float> F8 = FloatVector.SPECIES_256;
    /** Vector paths only where the hardware has the width (elsewhere the Vector API would run emulated). */
    private static final boolean HAS_512 = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    private static final boolean HAS_256 = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    /** Below this many multiply-adds (scores and values) attention runs on the calling thread alone. */
    private static final long PARALLEL_MIN_WORK = 1 << 18;

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
        long work = 2L * items * visible * config.headDim() * config.groupSize();
        int parts = pool.parts(work, PARALLEL_MIN_WORK, items);
        if (parts == 1) {
            a.items(0, items, q, out, scratch[0]);
            return;
        }
        pool.run(parts, (chunk, worker) ->
                a.items(items * chunk / parts, items * (chunk + 1) / parts, q, out, scratch[worker]));
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

    /**
     * One query head over {@code len} positions whose K/V byte offsets are {@code at}. Head sizes that are a
     * multiple of 16 or 8 use 512- or 256-bit vectors (chosen by the head size alone, so the same for every
     * query); each score's lanes are added in a fixed tree ({@link #sum16}, {@link #sum8}).
     */
    private void head(MemorySegment qs, long qo, MemorySegment os, long oo, long[] at, int len, Scratch scratch) {
        int d = config.headDim();
        MemorySegment keys = kv.keys();
        MemorySegment values = kv.values();
        float[] scores = scratch.scores(len);
        for (int j = 0; j < len; j++) {
            float dot;
            if (HAS_512 && d % 16 == 0) {
                FloatVector acc = FloatVector.zero(F16);
                for (int i = 0; i < d; i += 16) {
                    acc = FloatVector.fromMemorySegment(F16, qs, qo + 4L * i, NATIVE)
                            .fma(FloatVector.fromMemorySegment(F16, keys, at[j] + 4L * i, NATIVE), acc);
                }
                dot = sum16(acc);
            } else if (HAS_256 && d % 8 == 0) {
                FloatVector acc = FloatVector.zero(F8);
                for (int i = 0; i < d; i += 8) {
                    acc = FloatVector.fromMemorySegment(F8, qs, qo + 4L * i, NATIVE)
                            .fma(FloatVector.fromMemorySegment(F8, keys, at[j] + 4L * i, NATIVE), acc);
                }
                dot = sum8(acc);
            } else {
                dot = 0f;
                for (int i = 0; i < d; i++) {
                    dot = Math.fma(qs.get(FLOAT, qo + 4L * i), keys.get(FLOAT, at[j] + 4L * i), dot);
                }
            }
            scores[j] = config.capScore(dot * config.scale());
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < len; j++) {
            max = Math.max(max, scores[j]);
        }
        float sum = VectorExp.expMinusMaxAndSum(scores, len, max, scratch.lanes);
        if (HAS_512 && d % 16 == 0) {
            for (int i = 0; i < d; i += 16) {
                FloatVector acc = FloatVector.zero(F16);
                for (int j = 0; j < len; j++) {
                    acc = FloatVector.fromMemorySegment(F16, values, at[j] + 4L * i, NATIVE)
                            .fma(FloatVector.broadcast(F16, scores[j]), acc);
                }
                acc.div(sum).intoMemorySegment(os, oo + 4L * i, NATIVE);
            }
        } else if (HAS_256 && d % 8 == 0) {
            for (int i = 0; i < d; i += 8) {
                FloatVector acc = FloatVector.zero(F8);
                for (int j = 0; j < len; j++) {
                    acc = FloatVector.fromMemorySegment(F8, values, at[j] + 4L * i, NATIVE)
                            .fma(FloatVector.broadcast(F8, scores[j]), acc);
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

    /** The 16 lanes added as a tree: halves, quarters, ... (lane-wise adds: the same bits compiled or not). */
    private static float sum16(FloatVector v) {
        FloatVector h = v.add(v.slice(8));
        h = h.add(h.slice(4));
        h = h.add(h.slice(2));
        return h.lane(0) + h.lane(1);
    }

    /** {@link #sum16} for 8 lanes. */
    private static float sum8(FloatVector v) {
        FloatVector h = v.add(v.slice(4));
        h = h.add(h.slice(2));
        return h.lane(0) + h.lane(1);
    }
}
