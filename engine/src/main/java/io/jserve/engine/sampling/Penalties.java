package io.jserve.engine.sampling;

import io.jserve.scheduler.SamplingParams;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Logit adjustments before sampling, as vLLM applies them: {@code logit_bias}; the repetition penalty over
 * prompt and output tokens (divide positive logits, multiply negative ones); presence and frequency penalties
 * over output tokens ({@code logit -= presence + frequency * count}).
 */
final class Penalties {
    private Penalties() {
    }

    static void apply(float[] logits, int offset, int vocabSize, SamplingParams p, TokenHistory history) {
        for (Map.Entry<Integer, Float> bias : p.logitBias().entrySet()) {
            int id = bias.getKey();
            if (id >= 0 && id < vocabSize) {
                logits[offset + id] += bias.getValue();
            }
        }
        if (p.repetitionPenalty() != 1f) {
            Set<Integer> seen = new HashSet<>();
            int total = history.promptLength() + history.outputLength();
            for (int i = 0; i < total; i++) {
                int id = history.token(i);
                if (id >= 0 && id < vocabSize && seen.add(id)) {
                    float l = logits[offset + id];
                    logits[offset + id] = l > 0 ? l / p.repetitionPenalty() : l * p.repetitionPenalty();
                }
            }
        }
        if (p.presencePenalty() != 0f || p.frequencyPenalty() != 0f) {
            Map<Integer, Integer> counts = new HashMap<>();
            for (int i = 0; i < history.outputLength(); i++) {
                counts.merge(history.token(history.promptLength() + i), 1, Integer::sum);
            }
            for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
                int id = e.getKey();
                if (id >= 0 && id < vocabSize) {
                    logits[offset + id] -= p.presencePenalty() + p.frequencyPenalty() * e.getValue();
                }
            }
        }
    }
}
