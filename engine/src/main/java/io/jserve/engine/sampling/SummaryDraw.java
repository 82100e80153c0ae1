package io.jserve.engine.sampling;

import io.jserve.kernels.LogitSummary;
import io.jserve.scheduler.SamplingParams;

import java.util.OptionalInt;

/**
 * Chooses a token from a row's {@link LogitSummary} when its candidates decide it, exactly as {@link Sampler}'s
 * full-row path would: the greedy token is the first candidate; top-k within the candidates is complete; top-p and
 * min-p are decided once their cut falls inside the candidates; an untruncated draw is decided when the target
 * falls inside the candidates' cumulative probability (tokens outside them come after, in id order: see
 * {@link Sampler}). Otherwise it answers empty and the caller samples the full row with the same {@code u}.
 *
 * <p>Probabilities over the whole vocabulary use the summary's normalizer, which a device sums in float, so a
 * draw whose target lies within about 1e-6 of a boundary may go the other way than on the host: the
 * distribution is the same, and a backend always draws the same token for the same seed.
 */
final class SummaryDraw {
    private final double[] probs;

    SummaryDraw(int maxCandidates) {
        this.probs = new double[maxCandidates];
    }

    /**
     * The token for row {@code row}, or empty when the candidates cannot decide it. {@code u} in {@code [0, 1)} is
     * the sequence's draw for this step (unused when greedy).
     */
    OptionalInt choose(LogitSummary s, int row, SamplingParams p, double u) {
        if (p.isGreedy()) {
            return OptionalInt.of(s.id(row, 0));
        }
        int count = s.count();
        int vocab = s.vocabSize();
        float invTemperature = 1f / p.temperature();
        double top = s.value(row, 0) * invTemperature;
        int size;
        boolean complete; // every token the distribution may still give is a candidate
        int topK = p.topK();
        if (topK > 0 && topK < vocab) {
            if (topK > count) {
                return OptionalInt.empty();
            }
            size = topK;
            double sum = 0;
            for (int j = 0; j < size; j++) {
                probs[j] = Math.exp(s.value(row, j) * invTemperature - top);
                sum += probs[j];
            }
            for (int j = 0; j < size; j++) {
                probs[j] /= sum;
            }
            complete = true;
        } else {
            size = count;
            double z = s.sumExpScaled(row);
            for (int j = 0; j < size; j++) {
                probs[j] = Math.exp(s.value(row, j) * invTemperature - top) / z;
            }
            complete = count == vocab;
        }
        if (p.topP() < 1f) {
            int cut = cumulativeReaches(size, p.topP());
            if (cut > 0) {
                size = cut;
                complete = true;
            } else if (!complete) {
                return OptionalInt.empty();
            }
        }
        if (p.minP() > 0f) {
            double threshold = probs[0] * p.minP();
            int keep = 1;
            while (keep < size && probs[keep] >= threshold) {
                keep++;
            }
            if (keep == size && !complete) {
                return OptionalInt.empty();
            }
            size = keep;
            complete = true;
        }
        double total = 1.0;
        if (complete) {
            total = 0;
            for (int j = 0; j < size; j++) {
                total += probs[j];
            }
        }
        double target = u * total;
        double cumulative = 0;
        for (int j = 0; j < size; j++) {
            cumulative += probs[j];
            if (target < cumulative) {
                return OptionalInt.of(s.id(row, j));
            }
        }
        return complete ? OptionalInt.of(s.id(row, size - 1)) : OptionalInt.empty();
    }

    /** The length of the shortest prefix of the first {@code size} probabilities that sums to {@code p}, or 0. */
    private int cumulativeReaches(int size, float p) {
        double cumulative = 0;
        for (int j = 0; j < size; j++) {
            cumulative += probs[j];
            if (cumulative >= p) {
                return j + 1;
            }
        }
        return 0;
    }
}
