package io.jserve.scheduler;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Helpers shared by the scheduler tests: building sequences and describing batches compactly. */
final class SchedulerTestSupport {
    static final int EOS = 0;

    private SchedulerTestSupport() {
    }

    /** Tokens {@code from .. from+n-1}. */
    static int[] range(int from, int n) {
        return IntStream.range(from, from + n).toArray();
    }

    static Sequence seq(String id, int[] prompt, int maxTokens) {
        return new Sequence(id, prompt, SamplingParams.greedy(maxTokens));
    }

    /** A batch as "id:numTokens@start" (with "*" when sampled), in order. */
    static List<String> describe(ScheduledBatch batch) {
        return batch.entries().stream()
                .map(e -> e.sequence().id() + ":" + e.numTokens() + "@" + e.startPosition() + (e.sample() ? "*" : ""))
                .toList();
    }

    /** Schedules one step and applies it with the given sampled tokens; returns the batch. */
    static ScheduledBatch step(Scheduler s, int... sampled) {
        ScheduledBatch batch = s.schedule();
        s.update(batch, sampled);
        return batch;
    }

    static void assertBatch(ScheduledBatch batch, int totalTokens, String... entries) {
        assertEquals(List.of(entries), describe(batch));
        assertEquals(totalTokens, batch.totalTokens());
    }
}
