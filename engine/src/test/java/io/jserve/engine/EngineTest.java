package io.jserve.engine;

import io.jserve.scheduler.FinishReason;
import io.jserve.scheduler.SamplingParams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Continuous batching end to end on stories260K with the CPU backend: batch invariance, preemption, prefix
 * caching, abort, and every block back in the pool afterwards.
 */
class EngineTest {
    private static final Path MODEL = SharedModels.file("stories260K.gguf");
    private static Engine shared;

    @BeforeAll
    static void start() {
        shared = Engine.start(EngineConfig.defaults(MODEL).withBackend("cpu"));
    }

    @AfterAll
    static void stop() {
        shared.close();
    }

    /** A distinct prompt per index: BOS then a few in-vocabulary token ids. */
    private static int[] prompt(int i) {
        int[] p = new int[3 + i % 5];
        p[0] = 1;
        for (int j = 1; j < p.length; j++) {
            p[j] = 260 + (i * 7 + j * 13) % 240;
        }
        return p;
    }

    private record Result(int[] tokens, StreamEvent.Finished finished) {
    }

    private static Result collect(TokenStream stream) throws InterruptedException {
        List<Integer> ids = new ArrayList<>();
        while (true) {
            StreamEvent e = stream.poll(60, TimeUnit.SECONDS);
            assertNotNull(e, "the engine produced nothing for 60 s");
            switch (e) {
                case StreamEvent.Token t -> ids.add(t.tokenId());
                case StreamEvent.Finished f -> {
                    return new Result(ids.stream().mapToInt(Integer::intValue).toArray(), f);
                }
                case StreamEvent.Failed f -> throw new AssertionError("request failed: " + f.message());
            }
        }
    }

    private static SamplingParams greedy(int maxTokens) {
        return SamplingParams.greedy(maxTokens).withSeed(null);
    }

    private static List<Result> runAll(Engine engine, int n, int maxTokens) throws InterruptedException {
        List<TokenStream> streams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            streams.add(engine.submit(new EngineRequest("r" + i, prompt(i), greedy(maxTokens))));
        }
        List<Result> results = new ArrayList<>();
        for (TokenStream s : streams) {
            results.add(collect(s));
        }
        return results;
    }

    private static void awaitPoolFree(Engine engine) throws InterruptedException {
        for (int i = 0; i < 200 && engine.stats().freeBlocks() != engine.stats().totalBlocks(); i++) {
            Thread.sleep(10);
        }
        EngineStats s = engine.stats();
        assertEquals(s.totalBlocks(), s.freeBlocks(), "every KV block back in the pool");
        assertEquals(0, s.numRunning());
        assertEquals(0, s.numWaiting());
    }

    @Test
    void sixteenSequencesTogetherGiveExactlyTheTokensOfEachAlone() throws InterruptedException {
        int[][] alone = new int[16][];
        for (int i = 0; i < 16; i++) {
            alone[i] = collect(shared.submit(new EngineRequest("alone" + i, prompt(i), greedy(24)))).tokens();
        }
        List<Result> together = runAll(shared, 16, 24);
        EngineStats stats = shared.stats();
        assertTrue(stats.kvSlotSteps() > stats.kvTokenSteps() && stats.kvTokenSteps() > 0);
        // a sequence wastes at most the unfilled tail of its last 16-token block
        assertTrue(stats.kvCacheWaste() > 0 && stats.kvCacheWaste() < 15.0 / 16, "waste " + stats.kvCacheWaste());
        for (int i = 0; i < 16; i++) {
            assertArrayEquals(alone[i], together.get(i).tokens(), "sequence " + i);
            assertEquals(24, together.get(i).tokens().length);
            assertEquals(FinishReason.LENGTH, together.get(i).finished().reason());
        }
        awaitPoolFree(shared);
    }

    @Test
    void plainRequestsAreSampledFromSummariesAndPenalizedOnesFromTheFullRow() throws InterruptedException {
        awaitPoolFree(shared); // the stats of every earlier step are published
        long before = shared.stats().fullRowSamples();
        runAll(shared, 4, 16); // greedy: always decided by the first candidate
        awaitPoolFree(shared);
        assertEquals(before, shared.stats().fullRowSamples(), "greedy rows never copied whole");

        SamplingParams penalized = new SamplingParams(0f, 0, 1f, 0f, null, 8, 0, true, List.of(), 0f, 0f, 1.3f,
                java.util.Map.of(), -1);
        Result r = collect(shared.submit(new EngineRequest("penalized", prompt(1), penalized)));
        assertEquals(8, r.tokens().length);
        awaitPoolFree(shared);
        assertEquals(before + 8, shared.stats().fullRowSamples(), "every penalized token from the full row");
    }

    @Test
    void seededSamplingGivesTheSameTokensAloneAndInABatch() throws InterruptedException {
        // temperature 3 over stories260K's 512 tokens: some draws land past the 64 candidates (the full-row path)
        SamplingParams hot = new SamplingParams(3f, 0, 1f, 0f, 42L, 32, 0, true, List.of(), 0f, 0f, 1f,
                java.util.Map.of(), 2);
        awaitPoolFree(shared);
        long before = shared.stats().fullRowSamples();
        Result alone = collect(shared.submit(new EngineRequest("hot-alone", prompt(3), hot)));
        List<TokenStream> streams = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            streams.add(shared.submit(new EngineRequest("mix" + i, prompt(i), greedy(32))));
        }
        TokenStream again = shared.submit(new EngineRequest("hot-again", prompt(3), hot));
        for (TokenStream s : streams) {
            collect(s);
        }
        assertArrayEquals(alone.tokens(), collect(again).tokens());
        awaitPoolFree(shared);
        assertTrue(shared.stats().fullRowSamples() > before, "some draws fell past the candidates");
    }

    @Test
    void aPoolTooSmallForAllSequencesPreemptsAndStillGivesTheSameTokens() throws InterruptedException {
        List<Result> reference = runAll(shared, 12, 40);
        // each sequence needs up to 3 blocks of 16 (at most 7 prompt + 40 generated); 12 need ~36
        try (Engine small = Engine.start(EngineConfig.defaults(MODEL).withBackend("cpu").withNumKvBlocks(10))) {
            List<Result> constrained = runAll(small, 12, 40);
            for (int i = 0; i < 12; i++) {
                assertArrayEquals(reference.get(i).tokens(), constrained.get(i).tokens(), "sequence " + i);
            }
            assertTrue(small.stats().numPreemptions() > 0, "preemptions happened");
            awaitPoolFree(small);
        }
    }

    @Test
    void aSharedPrefixIsComputedOnceAndGivesTheSameOutputAsWithoutCaching() throws InterruptedException {
        int[] prefix = new int[200];
        prefix[0] = 1;
        for (int i = 1; i < prefix.length; i++) {
            prefix[i] = 260 + (i * 31) % 240;
        }
        int[] second = java.util.Arrays.copyOf(prefix, 205);
        for (int i = 200; i < 205; i++) {
            second[i] = 300 + i % 50;
        }
        Result first = collect(shared.submit(new EngineRequest("p1", prefix, greedy(8))));
        long promptBefore = shared.stats().promptTokens();
        Result hit = collect(shared.submit(new EngineRequest("p2", second, greedy(8))));
        // 12 full blocks of the first prompt (192 tokens) are reused; only 13 tokens are computed
        assertEquals(192, hit.finished().cachedTokens());
        assertEquals(205 - 192, shared.stats().promptTokens() - promptBefore);
        try (Engine uncached = Engine.start(EngineConfig.defaults(MODEL).withBackend("cpu").withPrefixCaching(false))) {
            Result cold = collect(uncached.submit(new EngineRequest("p2", second, greedy(8))));
            assertEquals(0, cold.finished().cachedTokens());
            assertArrayEquals(cold.tokens(), hit.tokens());
        }
        assertEquals(8, first.tokens().length);
        awaitPoolFree(shared);
    }

    @Test
    void cancellingAStreamAbortsItAndFreesItsBlocks() throws InterruptedException {
        TokenStream stream = shared.submit(new EngineRequest("abort-me", prompt(3),
                SamplingParams.greedy(1000).withSeed(null)));
        assertInstanceOf(StreamEvent.Token.class, stream.poll(30, TimeUnit.SECONDS));
        stream.cancel();
        stream.cancel(); // idempotent
        StreamEvent e;
        do {
            e = stream.poll(30, TimeUnit.SECONDS);
            assertNotNull(e);
        } while (e instanceof StreamEvent.Token);
        StreamEvent.Finished finished = assertInstanceOf(StreamEvent.Finished.class, e);
        assertEquals(FinishReason.ABORT, finished.reason());
        awaitPoolFree(shared);
    }

    @Test
    void aTokenOutsideTheVocabularyIsRefusedAtSubmit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shared.submit(new EngineRequest("bad-token", new int[] {1, 512}, greedy(4))));
        assertEquals("token id 512 is outside the vocabulary (0 to 511)", e.getMessage());
    }

    @Test
    void aMaxModelLenBeyondTheModelsContextStopsTheStart() {
        EngineConfig tooLong = new EngineConfig(MODEL, "cpu", 8, 64, 16, 64, 0, 4096, 16, true, null, 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Engine.start(tooLong).close());
        assertEquals("max-model-len 4096 exceeds the model's context length 2048", e.getMessage());
    }

    @Test
    void aPromptBeyondTheContextIsRefusedAtSubmit() {
        int[] longPrompt = new int[2040];
        longPrompt[0] = 1;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> shared.submit(new EngineRequest("too-long", longPrompt, greedy(16))));
        assertTrue(e.getMessage().contains("maximum context length is 2048"), e.getMessage());
    }
}
