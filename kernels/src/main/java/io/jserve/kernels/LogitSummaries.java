package io.jserve.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * The host's way of summarizing a row of logits into a {@link LogitSummary}: the definition the device kernels
 * are tested against, and what host backends and the sampler's full-row path use. Candidates are found by one
 * scan with a sorted insertion buffer (a value enters only when strictly greater than the buffer's last, so the
 * lower id stays first on ties), vector compares skipping the stretches with nothing to insert; normalizers are
 * summed from a vector exp, in float within chunks and in double across them (relative error about 1e-7).
 */
public final class LogitSummaries {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int SUM_CHUNK = 1024;

    private LogitSummaries() {
    }

    /**
     * Summarizes {@code logits[offset .. offset + vocabSize)} into row {@code row} of {@code out}, with its
     * normalizers when the row asked for them.
     */
    public static void summarizeRow(float[] logits, int offset, LogitSummary out, int row) {
        int vocab = out.vocabSize();
        if (offset < 0 || offset + vocab > logits.length) {
            throw new IndexOutOfBoundsException("row of %d logits at %d of %d".formatted(vocab, offset, logits.length));
        }
        int k = out.count();
        int[] best = new int[k];
        float[] bestValues = new float[k];
        top(logits, offset, vocab, best, bestValues);
        for (int j = 0; j < k; j++) {
            out.setCandidate(row, j, best[j], bestValues[j]);
        }
        if (out.wantsNormalizers(row)) {
            normalizers(logits, offset, vocab, bestValues[0], out.inverseTemperature(row), out, row);
        }
    }

    /**
     * The indices of the {@code k} largest of {@code values[offset .. offset + length)}, largest first, the lower
     * index first on ties ({@code min(k, length)} of them).
     */
    public static int[] topIndices(float[] values, int offset, int length, int k) {
        int n = Math.max(0, Math.min(k, length));
        int[] best = new int[n];
        if (n > 0) {
            top(values, offset, length, best, new float[n]);
        }
        return best;
    }

    /** Fills {@code best} (and their values) with the {@code best.length} largest of the slice, in order. */
    private static void top(float[] values, int offset, int length, int[] best, float[] bestValues) {
        int k = best.length;
        Arrays.fill(bestValues, Float.NEGATIVE_INFINITY);
        int filled = 0;
        int i = 0;
        // once the buffer is full, a vector compare skips the many stretches with nothing above its last value
        for (; i + LANES <= length; i += LANES) {
            if (filled == k && !FloatVector.fromArray(SPECIES, values, offset + i)
                    .compare(VectorOperators.GT, bestValues[k - 1]).anyTrue()) {
                continue;
            }
            for (int j = i; j < i + LANES; j++) {
                filled = insert(values[offset + j], j, best, bestValues, filled);
            }
        }
        for (; i < length; i++) {
            filled = insert(values[offset + i], i, best, bestValues, filled);
        }
    }

    /**
     * The two sums, with {@link VectorExp} (about 2 ulp) and float lanes added into double every
     * {@value #SUM_CHUNK} values; the scaled one is the plain one when the temperature is 1.
     */
    private static void normalizers(float[] logits, int offset, int vocab, float max, float invT, LogitSummary out,
                                    int row) {
        double sum = sumExp(logits, offset, vocab, max, 1f);
        out.setSums(row, sum, invT == 1f ? sum : sumExp(logits, offset, vocab, max, invT));
    }

    /** {@code sum_i exp((x_i - max) * scale)}. */
    private static double sumExp(float[] logits, int offset, int vocab, float max, float scale) {
        double sum = 0;
        int i = 0;
        while (i + LANES <= vocab) {
            int end = Math.min(vocab - LANES, i + SUM_CHUNK - LANES);
            FloatVector acc = FloatVector.zero(SPECIES);
            for (; i <= end; i += LANES) {
                acc = acc.add(VectorExp.exp(FloatVector.fromArray(SPECIES, logits, offset + i).sub(max).mul(scale)));
            }
            sum += acc.reduceLanes(VectorOperators.ADD);
        }
        for (; i < vocab; i++) {
            sum += VectorExp.exp((logits[offset + i] - max) * scale);
        }
        return sum;
    }

    /**
     * Puts value {@code v} of id {@code id} in its place in the sorted buffer when it belongs there (strictly above
     * the last value of a full buffer); returns the new fill.
     */
    private static int insert(float v, int id, int[] best, float[] bestValues, int filled) {
        int k = best.length;
        if (filled == k && !(v > bestValues[k - 1])) {
            return filled;
        }
        int pos = filled < k ? filled++ : k - 1;
        while (pos > 0 && v > bestValues[pos - 1]) {
            best[pos] = best[pos - 1];
            bestValues[pos] = bestValues[pos - 1];
            pos--;
        }
        best[pos] = id;
        bestValues[pos] = v;
        return filled;
    }

    /** Fails unless {@code out} was reset to the rows and row length of {@code logits}. */
    public static void checkShape(Tensor logits, LogitSummary out) {
        if (out.rows() != logits.rows() || out.vocabSize() != logits.cols()) {
            throw new IllegalArgumentException("summary of %d rows of %d for logits [%d, %d]"
                    .formatted(out.rows(), out.vocabSize(), logits.rows(), logits.cols()));
        }
    }
}
