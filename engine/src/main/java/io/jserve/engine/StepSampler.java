package io.jserve.engine;

import io.jserve.engine.runner.StepLogits;
import io.jserve.engine.sampling.Sampler;
import io.jserve.kernels.LogitSummary;
import io.jserve.scheduler.SamplingParams;

import java.util.Arrays;
import java.util.Optional;

/**
 * Chooses the next token of every sampled sequence of a step, copying as little of the logits as it can: one
 * {@link LogitSummary} of all rows, computed where the logits are, decides most of them; only the rows the summary
 * cannot decide (penalties, logit bias, an unmet {@code min_tokens}, a draw past the candidates) are copied whole,
 * in one transfer. Each sequence draws its {@code u} once, before either path, so both give the same token for it.
 * Owned by the engine thread.
 */
final class StepSampler {
    private final Sampler sampler;
    private final int vocabSize;
    private final LogitSummary summary = new LogitSummary(Sampler.CANDIDATES);
    private long fullRowSamples;

    StepSampler(Sampler sampler, int vocabSize) {
        this.sampler = sampler;
        this.vocabSize = vocabSize;
    }

    /** Tokens sampled from a whole row so far (the others came from summaries). */
    long fullRowSamples() {
        return fullRowSamples;
    }

    /**
     * Samples row {@code i} of {@code logits} for {@code requests[i]}, records each choice on its request, and
     * returns the tokens in row order.
     */
    int[] sample(StepLogits logits, LiveRequest[] requests) {
        int n = requests.length;
        double[] draws = new double[n];
        boolean[] summarized = new boolean[n];
        boolean anySummarized = false;
        summary.reset(n, vocabSize);
        for (int i = 0; i < n; i++) {
            SamplingParams params = requests[i].sequence().params();
            draws[i] = params.isGreedy() ? 0 : requests[i].random().nextDouble();
            if (Sampler.summarizable(params, requests[i])) {
                Sampler.requestNormalizers(summary, i, params);
                summarized[i] = anySummarized = true;
            }
        }
        if (anySummarized) {
            logits.summarize(summary);
        }
        int[] sampled = new int[n];
        int[] fullRows = new int[n];
        int numFull = 0;
        for (int i = 0; i < n; i++) {
            Optional<Sampler.Choice> choice = summarized[i]
                    ? sampler.sample(summary, i, requests[i].sequence().params(), draws[i]) : Optional.empty();
            if (choice.isPresent()) {
                choose(requests[i], choice.get(), sampled, i);
            } else {
                fullRows[numFull++] = i;
            }
        }
        if (numFull > 0) {
            int[] rows = Arrays.copyOf(fullRows, numFull);
            float[] values = logits.download(rows);
            for (int j = 0; j < numFull; j++) {
                LiveRequest request = requests[rows[j]];
                choose(request, sampler.sample(values, j * vocabSize, request.sequence().params(), request,
                        draws[rows[j]]), sampled, rows[j]);
            }
            fullRowSamples += numFull;
        }
        return sampled;
    }

    private static void choose(LiveRequest request, Sampler.Choice choice, int[] sampled, int i) {
        request.setLastChoice(choice);
        sampled[i] = choice.tokenId();
    }
}
