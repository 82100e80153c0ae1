package io.jserve.engine.sampling;

import java.util.Arrays;

/** The indices of the {@code k} largest values of a slice, largest first, lower index first on ties. */
final class TopK {
    private TopK() {
    }

    static int[] indices(float[] values, int offset, int length, int k) {
        k = Math.min(k, length);
        if (k <= 0) {
            return new int[0];
        }
        // a small sorted insertion buffer: k is at most a few dozen for logprobs, or top_k for sampling
        int[] best = new int[k];
        float[] bestValues = new float[k];
        Arrays.fill(bestValues, Float.NEGATIVE_INFINITY);
        Arrays.fill(best, -1);
        for (int i = 0; i < length; i++) {
            float v = values[offset + i];
            if (best[k - 1] >= 0 && !(v > bestValues[k - 1])) {
                continue;
            }
            int pos = k - 1;
            while (pos > 0 && (best[pos - 1] < 0 || v > bestValues[pos - 1])) {
                best[pos] = best[pos - 1];
                bestValues[pos] = bestValues[pos - 1];
                pos--;
            }
            best[pos] = i;
            bestValues[pos] = v;
        }
        return best;
    }
}
