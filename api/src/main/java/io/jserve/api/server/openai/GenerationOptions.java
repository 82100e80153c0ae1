package io.jserve.api.server.openai;

import io.jserve.scheduler.SamplingParams;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The sampling, stopping and output fields shared by {@code /v1/chat/completions} and {@code /v1/completions},
 * already validated. Defaults are OpenAI's (temperature 1, top_p 1, n 1) plus vLLM's extensions.
 *
 * @param maxTokens     {@code max_tokens} / {@code max_completion_tokens}; empty takes the endpoint's default
 * @param temperature   0 for greedy
 * @param topP          nucleus mass in (0, 1]
 * @param topK          0 disables
 * @param minP          0 disables
 * @param n             choices per prompt
 * @param stop          stop strings (never part of the output)
 * @param seed          seed of choice 0 (choice i uses seed + i); null draws one
 * @param presencePenalty   in [-2, 2]
 * @param frequencyPenalty  in [-2, 2]
 * @param repetitionPenalty in (0, 10]
 * @param logitBias     token id to bias
 * @param topLogprobs   alternatives reported per token; -1 reports no logprobs at all
 * @param stream        answer with Server-Sent Events
 * @param includeUsage  {@code stream_options.include_usage}
 * @param ignoreEos     keep generating past EOS
 * @param stopTokenIds  extra token ids that end a choice
 * @param minTokens     EOS and stop tokens are suppressed before this many tokens
 */
public record GenerationOptions(OptionalInt maxTokens, float temperature, float topP, int topK, float minP, int n,
                                List<String> stop, Long seed, float presencePenalty, float frequencyPenalty,
                                float repetitionPenalty, Map<Integer, Float> logitBias, int topLogprobs,
                                boolean stream, boolean includeUsage, boolean ignoreEos, List<Integer> stopTokenIds,
                                int minTokens) {

    public GenerationOptions {
        Objects.requireNonNull(maxTokens, "maxTokens");
        stop = List.copyOf(stop);
        logitBias = Map.copyOf(logitBias);
        stopTokenIds = List.copyOf(stopTokenIds);
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1, got " + n);
        }
        if (includeUsage && !stream) {
            throw new IllegalArgumentException("include_usage needs stream");
        }
    }

    /** Whether the response reports logprobs. */
    public boolean wantsLogprobs() {
        return topLogprobs >= 0;
    }

    /**
     * The engine's parameters for choice {@code choiceIndex} of a prompt.
     *
     * @param resolvedMaxTokens the token limit after applying the endpoint's default
     */
    public SamplingParams samplingParams(int resolvedMaxTokens, int choiceIndex) {
        Long choiceSeed = seed == null ? null : seed + choiceIndex;
        return new SamplingParams(temperature, topK, topP, minP, choiceSeed, resolvedMaxTokens,
                Math.min(minTokens, resolvedMaxTokens), ignoreEos, stopTokenIds, presencePenalty, frequencyPenalty,
                repetitionPenalty, logitBias, topLogprobs);
    }
}
