package io.jserve.scheduler;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one request's tokens are chosen and when it stops. Validated here, at the edge, so that nothing deeper
 * has to check. Defaults follow vLLM's.
 *
 * @param temperature       0 for greedy; otherwise logits are divided by it before the softmax
 * @param topK              keep the k most likely tokens; 0 or less disables
 * @param topP              keep the smallest set of tokens whose probability reaches p; 1 disables
 * @param minP              drop tokens below {@code minP * p(most likely)}; 0 disables
 * @param seed              seed of this sequence's random generator; null draws one
 * @param maxTokens         most tokens to generate
 * @param minTokens         EOS and stop tokens are suppressed until this many were generated
 * @param ignoreEos         keep generating past EOS
 * @param stopTokenIds      extra token ids that finish the sequence (kept in the output, as vLLM does)
 * @param presencePenalty   subtracted once from the logit of every token already generated
 * @param frequencyPenalty  subtracted from a token's logit once per time it was generated
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens in prompt or output; 1 disables
 * @param logitBias         added to the logits of the given token ids
 * @param topLogprobs       number of most likely alternatives to report per token; -1 reports no logprobs
 */
public record SamplingParams(float temperature, int topK, float topP, float minP, Long seed,
                             int maxTokens, int minTokens, boolean ignoreEos, List<Integer> stopTokenIds,
                             float presencePenalty, float frequencyPenalty, float repetitionPenalty,
                             Map<Integer, Float> logitBias, int topLogprobs) {

    public SamplingParams {
        check(Float.isFinite(temperature) && temperature >= 0, "temperature must be a finite number >= 0");
        check(Float.isFinite(topP) && topP > 0 && topP <= 1, "top_p must be in (0, 1]");
        check(Float.isFinite(minP) && minP >= 0 && minP <= 1, "min_p must be in [0, 1]");
        check(maxTokens >= 1, "max_tokens must be at least 1");
        check(minTokens >= 0 && minTokens <= maxTokens, "min_tokens must be in [0, max_tokens]");
        check(Float.isFinite(presencePenalty) && Math.abs(presencePenalty) <= 2, "presence_penalty must be in [-2, 2]");
        check(Float.isFinite(frequencyPenalty) && Math.abs(frequencyPenalty) <= 2, "frequency_penalty must be in [-2, 2]");
        check(Float.isFinite(repetitionPenalty) && repetitionPenalty > 0 && repetitionPenalty <= 10,
                "repetition_penalty must be in (0, 10]");
        check(topLogprobs >= -1 && topLogprobs <= 20, "top_logprobs must be in [0, 20]");
        stopTokenIds = List.copyOf(Objects.requireNonNull(stopTokenIds, "stopTokenIds"));
        logitBias = Map.copyOf(Objects.requireNonNull(logitBias, "logitBias"));
        for (Float bias : logitBias.values()) {
            check(Float.isFinite(bias) && Math.abs(bias) <= 100, "logit_bias values must be in [-100, 100]");
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** Greedy decoding of up to {@code maxTokens} tokens, stopping at EOS. */
    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 0, 1f, 0f, null, maxTokens, 0, false, List.of(), 0f, 0f, 1f, Map.of(), -1);
    }

    /** True when the next token is the argmax (temperature 0). */
    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** A copy with another seed. */
    public SamplingParams withSeed(Long newSeed) {
        return new SamplingParams(temperature, topK, topP, minP, newSeed, maxTokens, minTokens, ignoreEos,
                stopTokenIds, presencePenalty, frequencyPenalty, repetitionPenalty, logitBias, topLogprobs);
    }

    /** A copy with another token limit. */
    public SamplingParams withMaxTokens(int newMaxTokens) {
        return new SamplingParams(temperature, topK, topP, minP, seed, newMaxTokens, Math.min(minTokens, newMaxTokens),
                ignoreEos, stopTokenIds, presencePenalty, frequencyPenalty, repetitionPenalty, logitBias, topLogprobs);
    }
}
