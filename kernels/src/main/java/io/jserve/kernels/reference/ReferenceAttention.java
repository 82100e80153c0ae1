package io.jserve.kernels.reference;

import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.host.HostKvCache;
import io.jserve.kernels.host.HostStepInputs;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.host.Shapes;

import java.lang.foreign.ValueLayout;

/**
 * Paged causal attention written as its definition, in double: for each query token and head, scores against
 * every cached position of its sequence up to its own that the sliding window shows (found through the block
 * table), soft-capped when the config says so, a max-subtracted softmax, and the weighted sum of the values.
 */
final class ReferenceAttention {
    private final HostKvCache kv;
    private final int layer;
    private final HostStepInputs step;
    private final AttentionConfig config;

    ReferenceAttention(HostKvCache kv, int layer, HostStepInputs step, AttentionConfig config) {
        this.kv = kv;
        this.layer = layer;
        this.step = step;
        this.config = config;
    }

    void run(HostTensor q, HostTensor out) {
        AttentionMetadata m = step.metadata();
        int n = step.numTokens();
        Shapes.attention(config, kv.shape(), m.blockSize());
        Shapes.heads(q, n, config.numHeads(), config.headDim(), "attention query");
        Shapes.sameShape("attention output", q, out);
        Shapes.noAlias(q, out, "attention");
        int[] seqOf = step.sequenceOfToken();
        for (int t = 0; t < n; t++) {
            int s = seqOf[t];
            int pos = m.contextLens()[s] - (m.queryStarts()[s + 1] - t);
            for (int h = 0; h < config.numHeads(); h++) {
                head(q, out, t, s, pos, h);
            }
        }
    }

    private void head(HostTensor q, HostTensor out, int t, int s, int pos, int h) {
        AttentionMetadata m = step.metadata();
        int d = config.headDim();
        int kvHead = h / config.groupSize();
        int first = config.firstVisible(pos);
        double[] scores = new double[pos + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = first; j <= pos; j++) {
            long base = keyOffset(m, s, j) + (long) kvHead * d * Float.BYTES;
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += (double) q.get(t, h * d + i) * kv.keys().get(ValueLayout.JAVA_FLOAT, base + 4L * i);
            }
            double scaled = dot * config.scale();
            double c = config.softcap();
            scores[j] = c == 0 ? scaled : c * Math.tanh(scaled / c);
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        for (int j = first; j <= pos; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
        }
        for (int i = 0; i < d; i++) {
            double acc = 0;
            for (int j = first; j <= pos; j++) {
                long base = keyOffset(m, s, j) + (long) kvHead * d * Float.BYTES;
                acc += scores[j] * kv.values().get(ValueLayout.JAVA_FLOAT, base + 4L * i);
            }
            out.set(t, h * d + i, (float) (acc / sum));
        }
    }

    /** Byte offset of position {@code j} of sequence {@code s}: block table lookup, then the slot in the block. */
    private long keyOffset(AttentionMetadata m, int s, int j) {
        int block = m.blockTables()[s * m.blockTableStride() + j / m.blockSize()];
        return kv.slotOffset(layer, block * m.blockSize() + j % m.blockSize());
    }
}
