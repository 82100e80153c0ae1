package io.jserve.engine.sampling;

import io.jserve.scheduler.SamplingParams;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final int EOS = 2;

    private record History(int[] prompt, int[] output) implements TokenHistory {
        public int promptLength() {
            return prompt.length;
        }

        public int outputLength() {
            return output.length;
        }

        public int token(int i) {
            return i < prompt.length ? prompt[i] : output[i - prompt.length];
        }
    }

    private static final History EMPTY = new History(new int[] {0}, new int[0]);

    private static SamplingParams params(float temperature, int topK, float topP, float minP) {
        return new SamplingParams(temperature, topK, topP, minP, 7L, 16, 0, false, List.of(), 0f, 0f, 1f, Map.of(), -1);
    }

    @Test
    void greedyTakesTheArgmaxAndTheLowestIdOnATie() {
        Sampler s = new Sampler(5, Set.of(EOS));
        assertEquals(3, s.sample(new float[] {0f, 1f, 2f, 5f, 5f}, 0, SamplingParams.greedy(4), EMPTY,
                new SplittableRandom(1)).tokenId());
    }

    @Test
    void topKOfOneIsGreedyWhateverTheSeed() {
        Sampler s = new Sampler(4, Set.of(EOS));
        for (long seed = 0; seed < 50; seed++) {
            float[] logits = {1f, 3f, 2f, 0f};
            assertEquals(1, s.sample(logits, 0, params(1f, 1, 1f, 0f), EMPTY, new SplittableRandom(seed)).tokenId());
        }
    }

    @Test
    void topPKeepsOnlyTheSmallestSetReachingP() {
        Sampler s = new Sampler(3, Set.of(EOS));
        // softmax of {ln 0.7, ln 0.2, ln 0.1} = {0.7, 0.2, 0.1}: top_p 0.6 keeps token 0 only
        for (long seed = 0; seed < 50; seed++) {
            float[] logits = {(float) Math.log(0.7), (float) Math.log(0.2), (float) Math.log(0.1)};
            assertEquals(0, s.sample(logits, 0, params(1f, 0, 0.6f, 0f), EMPTY, new SplittableRandom(seed)).tokenId());
        }
    }

    @Test
    void minPDropsTokensBelowTheFractionOfTheBest() {
        Sampler s = new Sampler(3, Set.of(EOS));
        int[] counts = new int[3];
        for (long seed = 0; seed < 200; seed++) {
            float[] logits = {(float) Math.log(0.5), (float) Math.log(0.4), (float) Math.log(0.1)};
            counts[s.sample(logits, 0, params(1f, 0, 1f, 0.3f), EMPTY, new SplittableRandom(seed)).tokenId()]++;
        }
        assertEquals(0, counts[2]);
        assertTrue(counts[0] > 0 && counts[1] > 0);
    }

    @Test
    void theSameSeedGivesTheSameDraws() {
        Sampler s = new Sampler(6, Set.of(EOS));
        int[] a = new int[20];
        int[] b = new int[20];
        SplittableRandom ra = new SplittableRandom(99);
        SplittableRandom rb = new SplittableRandom(99);
        for (int i = 0; i < 20; i++) {
            a[i] = s.sample(new float[] {1, 1, 1, 1, 1, 1}, 0, params(1f, 0, 1f, 0f), EMPTY, ra).tokenId();
            b[i] = s.sample(new float[] {1, 1, 1, 1, 1, 1}, 0, params(1f, 0, 1f, 0f), EMPTY, rb).tokenId();
        }
        assertArrayEquals(a, b);
    }

    @Test
    void minTokensSuppressesEosAndPenaltiesApplyExactly() {
        Sampler s = new Sampler(4, Set.of(EOS));
        SamplingParams p = new SamplingParams(0f, 0, 1f, 0f, null, 8, 2, false, List.of(), 0.5f, 1f, 1f,
                Map.of(3, 0.25f), -1);
        float[] logits = {0f, 1f, 10f, 2f};
        Sampler.Choice c = s.sample(logits, 0, p, new History(new int[] {0}, new int[] {1}), new SplittableRandom(1));
        // one output token (< min_tokens 2): EOS is masked, token 1 gets 1 - (0.5 + 1) = -0.5, token 3 gets 2.25
        assertEquals(3, c.tokenId());
        assertEquals(Float.NEGATIVE_INFINITY, logits[2]);
        assertEquals(-0.5f, logits[1]);
        assertEquals(2.25f, logits[3]);
    }

    @Test
    void logprobsAreLogSoftmaxWithTheBestAlternativesFirst() {
        Sampler s = new Sampler(3, Set.of(EOS));
        SamplingParams p = new SamplingParams(0f, 0, 1f, 0f, null, 8, 0, false, List.of(), 0f, 0f, 1f, Map.of(), 2);
        Sampler.Choice c = s.sample(new float[] {0f, (float) Math.log(3), 0f}, 0, p, EMPTY, new SplittableRandom(1));
        assertEquals(1, c.tokenId());
        assertEquals((float) Math.log(0.6), c.logprob(), 1e-6);
        assertEquals(List.of(1, 0), c.topLogprobs().stream().map(t -> t.tokenId()).toList());
        assertEquals((float) Math.log(0.2), c.topLogprobs().get(1).logprob(), 1e-6);
    }
}
