package io.jserve.scheduler;

import java.util.Optional;
import java.util.Set;

/**
 * Decides whether the token just appended ends a sequence, in vLLM's order: length first (the sequence cannot
 * grow anyway), then EOS (unless {@code ignoreEos}) and stop token ids, which only count once the token's
 * index in the output is at least {@code minTokens} (the sampler suppresses them before). Stop strings are
 * text and belong to the API layer.
 */
final class StopChecker {
    private final Set<Integer> eosTokenIds;
    private final int maxModelLen;

    StopChecker(Set<Integer> eosTokenIds, int maxModelLen) {
        this.eosTokenIds = Set.copyOf(eosTokenIds);
        this.maxModelLen = maxModelLen;
    }

    Optional<FinishReason> check(Sequence seq) {
        SamplingParams params = seq.params();
        int numOutput = seq.numOutputTokens();
        if (numOutput >= params.maxTokens() || seq.numTokens() >= maxModelLen) {
            return Optional.of(FinishReason.LENGTH);
        }
        if (numOutput - 1 < params.minTokens()) {
            return Optional.empty();
        }
        int token = seq.lastToken();
        if (!params.ignoreEos() && eosTokenIds.contains(token) || params.stopTokenIds().contains(token)) {
            return Optional.of(FinishReason.STOP);
        }
        return Optional.empty();
    }
}
