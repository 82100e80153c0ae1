package io.jserve.engine.sampling;

import io.jserve.kernels.LogitSummaries;

import java.util.Arrays;

/**
 * The tokens still in the running during random sampling, most likely first, with their scores turned into
 * probabilities by {@link #softmax()} and trimmed by top-p and min-p. Sorted once; every filter then keeps a
 * prefix.
 */
final class Candidates {
    private final int[] ids;
    private final double[] probs;
    private int size;

    private Candidates(int[] ids, double[] probs) {
        this.ids = ids;
        this.probs = probs;
        this.size = ids.length;
    }

    /** The {@code topK} best-scoring tokens (all tokens when {@code topK <= 0}), best first. */
    static Candidates of(float[] scores, int topK) {
        int n = scores.length;
        int[] ids;
        if (topK > 0 && topK < n) {
            ids = LogitSummaries.topIndices(scores, 0, n, topK);
        } else {
            // sort by score descending, index ascending: pack (score order key, index) into longs
            long[] keys = new long[n];
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToIntBits(scores[i]);
                int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff; // monotone in the float value
                keys[i] = ((long) ~ordered << 32) | i;             // descending score, then ascending id
            }
            Arrays.sort(keys);
            ids = new int[n];
            for (int i = 0; i < n; i++) {
                ids[i] = (int) keys[i];
            }
        }
        double[] probs = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            probs[i] = scores[ids[i]];
        }
        return new Candidates(ids, probs);
    }

    /** Turns the scores into probabilities that sum to 1. */
    void softmax() {
        double max = probs[0];
        double sum = 0;
        for (int i = 0; i < size; i++) {
            probs[i] = Math.exp(probs[i] - max);
            sum += probs[i];
        }
        for (int i = 0; i < size; i++) {
            probs[i] /= sum;
        }
    }

    /** Keeps the smallest prefix whose probability reaches {@code p} (at least one token). */
    void keepTopP(float p) {
        if (p >= 1f) {
            return;
        }
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            cumulative += probs[i];
            if (cumulative >= p) {
                size = i + 1;
                return;
            }
        }
    }

    /** Drops tokens less likely than {@code minP} times the most likely one. */
    void keepMinP(float minP) {
        if (minP <= 0f) {
            return;
        }
        double threshold = probs[0] * minP;
        int keep = 1;
        while (keep < size && probs[keep] >= threshold) {
            keep++;
        }
        size = keep;
    }

    /** The token at cumulative probability {@code u * total} of the kept prefix ({@code 0 <= u < 1}). */
    int draw(double u) {
        double total = 0;
        for (int i = 0; i < size; i++) {
            total += probs[i];
        }
        double target = u * total;
        double cumulative = 0;
        for (int i = 0; i < size; i++) {
            cumulative += probs[i];
            if (target < cumulative) {
                return ids[i];
            }
        }
        return ids[size - 1];
    }
}
