package io.jserve.engine.sampling;

import io.jserve.kernels.LogitSummaries;
import io.jserve.kernels.LogitSummary;
import io.jserve.scheduler.SamplingParams;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sampling from a row's summary agrees with sampling from the whole row, and both agree with a plain oracle that
 * sorts the vocabulary: truncated draws (top-k, top-p, min-p) walk the sorted tokens; untruncated ones walk the
 * {@value Sampler#CANDIDATES} best and then every other token in id order.
 */
class SummarySamplingTest {
    private static final TokenHistory EMPTY = TokenHistory.of(new int[] {0}, new int[0]);

    record Case(int vocab, long seed, int spread, SamplingParams params, double u) {
        float[] logits() {
            Random r = new Random(seed);
            float[] l = new float[vocab];
            for (int i = 0; i < vocab; i++) {
                l[i] = r.nextInt(spread) / 4f; // quarter steps: ties are common
            }
            return l;
        }
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<SamplingParams> params = Combinators.combine(
                Arbitraries.of(0f, 0.3f, 1f, 1.7f),
                Arbitraries.of(0, 1, 5, 64, 65, 300),
                Arbitraries.of(1f, 0.95f, 0.5f, 0.05f),
                Arbitraries.of(0f, 0.02f, 0.5f),
                Arbitraries.of(-1, 0, 3, 20)).as((t, k, p, m, lp) ->
                new SamplingParams(t, k, p, m, 1L, 16, 0, false, List.of(), 0f, 0f, 1f, Map.of(), lp));
        return Combinators.combine(Arbitraries.integers().between(40, 700), Arbitraries.longs(),
                Arbitraries.of(8, 40, 400), params, Arbitraries.doubles().between(0, 0.999999).ofScale(6))
                .as(Case::new);
    }

    @Property(tries = 600)
    void aDecidedSummaryAgreesWithTheFullRowAndTheFullRowWithTheOracle(@ForAll("cases") Case c) {
        float[] logits = c.logits();
        Sampler sampler = new Sampler(c.vocab(), Set.of());
        LogitSummary summary = new LogitSummary(Sampler.CANDIDATES);
        summary.reset(1, c.vocab());
        Sampler.requestNormalizers(summary, 0, c.params());
        LogitSummaries.summarizeRow(logits, 0, summary, 0);

        Optional<Sampler.Choice> fromSummary = sampler.sample(summary, 0, c.params(), c.u());
        Sampler.Choice full = sampler.sample(logits.clone(), 0, c.params(), EMPTY, c.u());
        assertEquals(oracle(logits, c.params(), c.u()), full.tokenId(), "full row vs oracle");
        Statistics.collect(fromSummary.isPresent() ? "decided by the summary" : "full row");
        if (fromSummary.isPresent()) {
            Sampler.Choice s = fromSummary.get();
            assertEquals(full.tokenId(), s.tokenId(), "summary vs full row");
            assertEquals(full.logprob(), s.logprob(), 1e-5);
            assertEquals(full.topLogprobs().size(), s.topLogprobs().size());
            for (int i = 0; i < s.topLogprobs().size(); i++) {
                assertEquals(full.topLogprobs().get(i).tokenId(), s.topLogprobs().get(i).tokenId());
                assertEquals(full.topLogprobs().get(i).logprob(), s.topLogprobs().get(i).logprob(), 1e-5);
            }
        } else {
            assertTrue(!c.params().isGreedy() || c.params().topLogprobs() > Sampler.CANDIDATES,
                    "a greedy summary always decides");
        }
    }

    @Test
    void untruncatedDrawsGiveEveryTokenItsProbability() {
        // a flat row: the 64 candidates hold 64/200 of the mass, so most draws go down the tail
        int vocab = 200;
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (i % 2) * (float) Math.log(3); // odd ids three times as likely as even ones
        }
        SamplingParams p = new SamplingParams(1f, 0, 1f, 0f, 1L, 16, 0, false, List.of(), 0f, 0f, 1f, Map.of(), -1);
        Sampler sampler = new Sampler(vocab, Set.of());
        int draws = 40_000;
        int[] counts = new int[vocab];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits.clone(), 0, p, EMPTY, (i + 0.5) / draws).tokenId()]++;
        }
        // an inverse CDF on an even grid: each token's count is its probability times the grid, within one
        for (int i = 0; i < vocab; i++) {
            double expected = draws * (i % 2 == 1 ? 3.0 : 1.0) / 400;
            assertEquals(expected, counts[i], 1.0, "token " + i);
        }
    }

    /** Sorts the whole vocabulary; the draw order is as the Sampler documents. */
    private static int oracle(float[] logits, SamplingParams p, double u) {
        int vocab = logits.length;
        List<Integer> sorted = new ArrayList<>();
        for (int i = 0; i < vocab; i++) {
            sorted.add(i);
        }
        sorted.sort(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i));
        if (p.isGreedy()) {
            return sorted.get(0);
        }
        float invT = 1f / p.temperature();
        boolean truncated = (p.topK() > 0 && p.topK() < vocab) || p.topP() < 1f || p.minP() > 0f;
        List<Integer> order;
        if (truncated) {
            order = p.topK() > 0 && p.topK() < vocab ? sorted.subList(0, p.topK()) : sorted;
        } else {
            order = new ArrayList<>(sorted.subList(0, Math.min(Sampler.CANDIDATES, vocab)));
            for (int i = 0; i < vocab; i++) {
                if (!order.contains(i)) {
                    order.add(i);
                }
            }
        }
        double top = logits[order.get(0)] * invT;
        double[] probs = new double[order.size()];
        double sum = 0;
        for (int j = 0; j < probs.length; j++) {
            probs[j] = Math.exp(logits[order.get(j)] * invT - top);
            sum += probs[j];
        }
        int size = probs.length;
        for (int j = 0; j < size; j++) {
            probs[j] /= sum;
        }
        if (p.topP() < 1f) {
            double cumulative = 0;
            for (int j = 0; j < size; j++) {
                cumulative += probs[j];
                if (cumulative >= p.topP()) {
                    size = j + 1;
                    break;
                }
            }
        }
        if (p.minP() > 0f) {
            int keep = 1;
            while (keep < size && probs[keep] >= probs[0] * p.minP()) {
                keep++;
            }
            size = keep;
        }
        double total = 0;
        for (int j = 0; j < size; j++) {
            total += probs[j];
        }
        double cumulative = 0;
        for (int j = 0; j < size; j++) {
            cumulative += probs[j];
            if (u * total < cumulative) {
                return order.get(j);
            }
        }
        return order.get(size - 1);
    }
}
