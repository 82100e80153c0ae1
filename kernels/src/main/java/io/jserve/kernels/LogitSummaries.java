package io.jserve.kernels;

import java.util.Arrays;

/**
 * The host's way of summarizing a row of logits into a {@link LogitSummary}: the definition the device kernels
 * are tested against, and what host backends and the sampler's full-row path use. Candidates are found by one
 * scan with a sorted insertion buffer (a value enters only when strictly greater than the buffer's last, so the
 * lower id stays first on ties); normalizers are summed in double precision.
 */
public final class LogitSummaries {
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
        Arrays.fill(bestValues, Float.NEGATIVE_INFINITY);
        int filled = 0;
        for (int i = 0; i < vocab; i++) {
            float v = logits[offset + i];
            if (filled == k && !(v > bestValues[k - 1])) {
                continue;
            }
            int pos = filled < k ? filled++ : k - 1;
            while (pos > 0 && v > bestValues[pos - 1]) {
                best[pos] = best[pos - 1];
                bestValues[pos] = bestValues[pos - 1];
                pos--;
            }
            best[pos] = i;
            bestValues[pos] = v;
        }
        for (int j = 0; j < k; j++) {
            out.setCandidate(row, j, best[j], bestValues[j]);
        }
        if (out.wantsNormalizers(row)) {
            double max = bestValues[0];
            double invT = out.inverseTemperature(row);
            double sum = 0;
            double scaled = 0;
            for (int i = 0; i < vocab; i++) {
                double d = logits[offset + i] - max;
                sum += Math.exp(d);
                if (invT != 1.0) {
                    scaled += Math.exp(d * invT);
                }
            }
            out.setSums(row, sum, invT == 1.0 ? sum : scaled);
        }
    }

    /** Fails unless {@code out} was reset to the rows and row length of {@code logits}. */
    public static void checkShape(Tensor logits, LogitSummary out) {
        if (out.rows() != logits.rows() || out.vocabSize() != logits.cols()) {
            throw new IllegalArgumentException("summary of %d rows of %d for logits [%d, %d]"
                    .formatted(out.rows(), out.vocabSize(), logits.rows(), logits.cols()));
        }
    }
}
