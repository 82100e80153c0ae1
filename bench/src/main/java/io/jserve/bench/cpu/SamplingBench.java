package io.jserve.bench.cpu;

import io.jserve.engine.sampling.Sampler;
import io.jserve.engine.sampling.TokenHistory;
import io.jserve.scheduler.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Host time to sample one token from a whole row of logits through {@link Sampler} (the engine's full-row path:
 * the row's summary, then the draw), per vocabulary size and sampling mode: greedy, temperature 0.8 over the whole
 * vocabulary (the OpenAI default's shape), and top-p 0.9. Gaussian logits of spread 3. Prints the median of 9
 * rounds of 200 rows (after 3 warm-up rounds), in microseconds per row.
 * Usage: {@code SamplingBench [VOCAB...]} (default 32000 128256).
 */
public final class SamplingBench {
    private static final TokenHistory EMPTY = TokenHistory.of(new int[] {0}, new int[0]);

    private SamplingBench() {
    }

    public static void main(String[] args) {
        int[] vocabs = args.length == 0 ? new int[] {32000, 128256}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Map<String, SamplingParams> modes = new java.util.LinkedHashMap<>();
        modes.put("greedy", SamplingParams.greedy(16));
        modes.put("temperature 0.8", params(0.8f, 1f));
        modes.put("top-p 0.9, T 0.8", params(0.8f, 0.9f));
        System.out.println("| vocabulary | mode | median us per row |");
        System.out.println("|---|---|---|");
        for (int vocab : vocabs) {
            float[] logits = new float[vocab];
            Random r = new Random(1);
            for (int i = 0; i < vocab; i++) {
                logits[i] = (float) r.nextGaussian() * 3;
            }
            Sampler sampler = new Sampler(vocab, Set.of());
            for (Map.Entry<String, SamplingParams> mode : modes.entrySet()) {
                System.out.printf("| %d | %s | %.1f |%n", vocab, mode.getKey(),
                        medianMicros(sampler, logits, mode.getValue()));
            }
        }
    }

    private static SamplingParams params(float temperature, float topP) {
        return new SamplingParams(temperature, 0, topP, 0f, 1L, 16, 0, false, List.of(), 0f, 0f, 1f, Map.of(), -1);
    }

    private static double medianMicros(Sampler sampler, float[] logits, SamplingParams p) {
        float[] row = new float[logits.length];
        List<Double> rounds = new ArrayList<>();
        long sink = 0;
        for (int round = 0; round < 12; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 200; i++) {
                System.arraycopy(logits, 0, row, 0, row.length); // the sampler may change the row in place
                sink += sampler.sample(row, 0, p, EMPTY, new SplittableRandom(i)).tokenId();
            }
            if (round >= 3) {
                rounds.add((System.nanoTime() - t0) / 200e3);
            }
        }
        if (sink == Long.MIN_VALUE) {
            System.out.println(sink);
        }
        rounds.sort(Double::compare);
        return rounds.get(rounds.size() / 2);
    }
}
