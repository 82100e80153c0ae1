package io.jserve.kernels.reference;

import io.jserve.kernels.Activations;
import io.jserve.kernels.AttentionConfig;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.RopeConfig;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.host.HostBackend;
import io.jserve.kernels.host.HostKvCache;
import io.jserve.kernels.host.HostStepInputs;
import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.host.HostWeight;
import io.jserve.kernels.host.Shapes;

/**
 * The scalar oracle: every operation written as its formula, one value at a time, with sums accumulated in
 * double. Slow and obviously correct; the CPU and CUDA backends are tested against it.
 */
public final class ReferenceBackend extends HostBackend {

    @Override
    public String name() {
        return "reference";
    }

    /** {@code out[t, r] = sum_c w[r, c] * x[t, c]}: each weight row dequantized, then a double dot per token. */
    @Override
    public void matmul(Weight weight, Tensor xt, Tensor outT) {
        HostWeight w = HostWeight.of(weight);
        HostTensor x = HostTensor.of(xt);
        HostTensor out = HostTensor.of(outT);
        Shapes.matmul(w, x, out);
        int cols = w.width();
        float[] row = new float[cols];
        for (int r = 0; r < w.rows(); r++) {
            w.dequantizeRow(r, row);
            for (int t = 0; t < x.rows(); t++) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += (double) row[c] * x.get(t, c);
                }
                out.set(t, r, (float) sum);
            }
        }
    }

    /**
     * As ggml: the sum of squares in double, {@code scale = 1 / sqrtf(mean + eps)} in float, then
     * {@code (x * scale) * w}.
     */
    @Override
    public void rmsNorm(Tensor xt, Weight weight, float eps, Tensor outT) {
        HostTensor x = HostTensor.of(xt);
        HostTensor out = HostTensor.of(outT);
        HostWeight w = HostWeight.of(weight);
        Shapes.sameShape("rmsNorm", x, out);
        Shapes.vector(w, x.cols(), "rmsNorm");
        float[] g = new float[x.cols()];
        w.dequantizeRow(0, g);
        for (int t = 0; t < x.rows(); t++) {
            double sum = 0;
            for (int c = 0; c < x.cols(); c++) {
                sum += (double) x.get(t, c) * x.get(t, c);
            }
            float mean = (float) (sum / x.cols());
            float scale = 1.0f / (float) Math.sqrt(mean + eps);
            for (int c = 0; c < x.cols(); c++) {
                out.set(t, c, x.get(t, c) * scale * g[c]);
            }
        }
    }

    /**
     * Rotates pair {@code (a, b)} of each head by {@code pos * inverseFrequency(i)}, cosine and sine times the
     * magnitude scale (as ggml's {@code rope_yarn}); dims past ropeDim untouched.
     */
    @Override
    public void rope(Tensor xt, int numHeads, int headDim, RopeConfig rope, StepInputs step) {
        HostTensor x = HostTensor.of(xt);
        Shapes.heads(x, step.numTokens(), numHeads, headDim, "rope");
        if (rope.ropeDim() > headDim) {
            throw new IllegalArgumentException(
                    "rope dimension %d exceeds head dim %d".formatted(rope.ropeDim(), headDim));
        }
        int[] positions = step.metadata().positions();
        int half = rope.ropeDim() / 2;
        for (int t = 0; t < x.rows(); t++) {
            for (int h = 0; h < numHeads; h++) {
                int base = h * headDim;
                for (int i = 0; i < half; i++) {
                    float theta = positions[t] * rope.inverseFrequency(i);
                    float cos = (float) Math.cos(theta) * rope.magnitudeScale();
                    float sin = (float) Math.sin(theta) * rope.magnitudeScale();
                    int a = base + (rope.neox() ? i : 2 * i);
                    int b = base + (rope.neox() ? i + half : 2 * i + 1);
                    float x0 = x.get(t, a);
                    float x1 = x.get(t, b);
                    x.set(t, a, x0 * cos - x1 * sin);
                    x.set(t, b, x0 * sin + x1 * cos);
                }
            }
        }
    }

    /** {@code out = gate / (1 + exp(-gate)) * up}, in float as ggml. */
    @Override
    public void siluMul(Tensor gateT, Tensor upT, Tensor outT) {
        HostTensor gate = HostTensor.of(gateT);
        HostTensor up = HostTensor.of(upT);
        HostTensor out = HostTensor.of(outT);
        Shapes.sameShape("siluMul", gate, up, out);
        for (int t = 0; t < gate.rows(); t++) {
            for (int c = 0; c < gate.cols(); c++) {
                float g = gate.get(t, c);
                out.set(t, c, g / (1.0f + (float) Math.exp(-g)) * up.get(t, c));
            }
        }
    }

    @Override
    public void add(Tensor aT, Tensor bT, Tensor outT) {
        HostTensor a = HostTensor.of(aT);
        HostTensor b = HostTensor.of(bT);
        HostTensor out = HostTensor.of(outT);
        Shapes.sameShape("add", a, b, out);
        for (int t = 0; t < a.rows(); t++) {
            for (int c = 0; c < a.cols(); c++) {
                out.set(t, c, a.get(t, c) + b.get(t, c));
            }
        }
    }

    @Override
    public void scale(Tensor xT, float s, Tensor outT) {
        HostTensor x = HostTensor.of(xT);
        HostTensor out = HostTensor.of(outT);
        Shapes.sameShape("scale", x, out);
        for (int t = 0; t < x.rows(); t++) {
            for (int c = 0; c < x.cols(); c++) {
                out.set(t, c, x.get(t, c) * s);
            }
        }
    }

    @Override
    public void addRow(Tensor xT, Tensor rowT, Tensor outT) {
        HostTensor x = HostTensor.of(xT);
        HostTensor row = HostTensor.of(rowT);
        HostTensor out = HostTensor.of(outT);
        Shapes.sameShape("addRow", x, out);
        Shapes.row(row, x.cols(), "addRow");
        for (int t = 0; t < x.rows(); t++) {
            for (int c = 0; c < x.cols(); c++) {
                out.set(t, c, x.get(t, c) + row.get(0, c));
            }
        }
    }

    @Override
    public void softcap(Tensor xT, float cap, Tensor outT) {
        HostTensor x = HostTensor.of(xT);
        HostTensor out = HostTensor.of(outT);
        Shapes.sameShape("softcap", x, out);
        Shapes.softcap(cap);
        for (int t = 0; t < x.rows(); t++) {
            for (int c = 0; c < x.cols(); c++) {
                out.set(t, c, Activations.softcap(x.get(t, c), cap));
            }
        }
    }

    /** {@code out = gelu(gate) * up} with ggml's fp16-table GELU ({@link Activations#gelu}). */
    @Override
    public void geluMul(Tensor gateT, Tensor upT, Tensor outT) {
        HostTensor gate = HostTensor.of(gateT);
        HostTensor up = HostTensor.of(upT);
        HostTensor out = HostTensor.of(outT);
        Shapes.sameShape("geluMul", gate, up, out);
        for (int t = 0; t < gate.rows(); t++) {
            for (int c = 0; c < gate.cols(); c++) {
                out.set(t, c, Activations.gelu(gate.get(t, c)) * up.get(t, c));
            }
        }
    }

    @Override
    public void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config,
                          Tensor out) {
        new ReferenceAttention(HostKvCache.of(kv), layer, HostStepInputs.of(step), config)
                .run(HostTensor.of(q), HostTensor.of(out));
    }

    @Override
    public void close() {
        // nothing to release: tensors are freed by the garbage collector, KV pools by their own close()
    }
}
