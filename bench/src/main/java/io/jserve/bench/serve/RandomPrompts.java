package io.jserve.bench.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * vLLM's "random" dataset: prompts of exactly {@code inputLength} random token ids, sent as token arrays so the
 * server sees the exact length whatever its tokenizer. Ids are drawn from {@code [firstId, vocabSize)}; the
 * default range 3..258 holds the byte tokens every llama-family vocabulary has.
 */
final class RandomPrompts {
    private RandomPrompts() {
    }

    static List<int[]> generate(int count, int inputLength, int firstId, int vocabSize, long seed) {
        if (inputLength < 1 || firstId < 0 || vocabSize <= firstId) {
            throw new IllegalArgumentException("need input length >= 1 and 0 <= first id < vocab size");
        }
        SplittableRandom random = new SplittableRandom(seed);
        List<int[]> prompts = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int[] ids = new int[inputLength];
            for (int j = 0; j < inputLength; j++) {
                ids[j] = random.nextInt(firstId, vocabSize);
            }
            prompts.add(ids);
        }
        return prompts;
    }
}
