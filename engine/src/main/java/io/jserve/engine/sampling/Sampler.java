package io.jserve.engine.sampling;

import io.jserve.engine.StreamEvent.TopLogprob;
import io.jserve.scheduler.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Chooses the next token of one sequence from its logits, in vLLM's order: logit bias, penalties and the
 * {@code min_tokens} mask change the logits; greedy takes the argmax; otherwise temperature, top-k, top-p and
 * min-p shape the distribution and the sequence's own seeded generator draws from it (same seed, same tokens).
 *
 * <p>Stateless apart from a scratch buffer sized to the vocabulary; one instance serves every sequence of the
 * engine thread.
 */
public final class Sampler {
    private final int vocabSize;
    private final Set<Integer> eosIds;
    private final float[] scratch;

    /** A chosen token, its log-probability and the requested alternatives. */
    public record Choice(int tokenId, float logprob, List<TopLogprob> topLogprobs) {
    }

    public Sampler(int vocabSize, Set<Integer> eosIds) {
        this.vocabSize = vocabSize;
        this.eosIds = Set.copyOf(eosIds);
        this.scratch = new float[vocabSize];
    }

    /**
     * Samples from {@code logits[offset .. offset + vocabSize)} (modified in place).
     *
     * @param history the sequence's tokens so far, for penalties and {@code min_tokens}
     * @param rng     the sequence's random generator (unused when greedy)
     */
    public Choice sample(float[] logits, int offset, SamplingParams params, TokenHistory history, RandomGenerator rng) {
        Penalties.apply(logits, offset, vocabSize, params, history);
        if (history.outputLength() < params.minTokens()) {
            suppress(logits, offset, eosIds);
            suppress(logits, offset, params.stopTokenIds());
        }
        int token = params.isGreedy() ? argmax(logits, offset) : draw(logits, offset, params, rng);
        if (params.topLogprobs() < 0) {
            return new Choice(token, Float.NaN, List.of());
        }
        return withLogprobs(logits, offset, token, params.topLogprobs());
    }

    private void suppress(float[] logits, int offset, Iterable<Integer> ids) {
        for (int id : ids) {
            if (id >= 0 && id < vocabSize) {
                logits[offset + id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /** Index of the largest logit; the lowest index wins a tie (deterministic). */
    private int argmax(float[] logits, int offset) {
        int best = 0;
        float bestValue = logits[offset];
        for (int i = 1; i < vocabSize; i++) {
            if (logits[offset + i] > bestValue) {
                bestValue = logits[offset + i];
                best = i;
            }
        }
        return best;
    }

    private int draw(float[] logits, int offset, SamplingParams params, RandomGenerator rng) {
        float[] probs = scratch;
        float invTemperature = 1f / params.temperature();
        for (int i = 0; i < vocabSize; i++) {
            probs[i] = logits[offset + i] * invTemperature;
        }
        Candidates candidates = Candidates.of(probs, params.topK());
        candidates.softmax();
        candidates.keepTopP(params.topP());
        candidates.keepMinP(params.minP());
        return candidates.draw(rng.nextDouble());
    }

    private Choice withLogprobs(float[] logits, int offset, int token, int top) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocabSize; i++) {
            sum += Math.exp(logits[offset + i] - max);
        }
        double logZ = max + Math.log(sum);
        List<TopLogprob> alternatives = new ArrayList<>(top);
        for (int id : TopK.indices(logits, offset, vocabSize, top)) {
            alternatives.add(new TopLogprob(id, (float) (logits[offset + id] - logZ)));
        }
        return new Choice(token, (float) (logits[offset + token] - logZ), alternatives);
    }
}
