package io.jserve.bench.throughput;

import io.jserve.engine.Engine;
import io.jserve.engine.EngineConfig;
import io.jserve.engine.EngineRequest;
import io.jserve.engine.StreamEvent;
import io.jserve.engine.TokenStream;
import io.jserve.scheduler.SamplingParams;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The offline throughput driver (after nano-vllm's {@code bench.py}): N prompts of random token ids, generated
 * with {@code ignore_eos}, first one at a time, then all submitted together; reports prefill and decode tok/s
 * of both and the batching speed-up. Then the prefix cache: a request whose first {@code prefix} tokens were
 * computed by an earlier request, timed against the same request with caching off.
 *
 * <p>Usage: {@code OfflineThroughput MODEL BACKEND N PROMPT_LEN OUTPUT_LEN PREFIX_LEN}.
 */
public final class OfflineThroughput {
    private OfflineThroughput() {
    }

    /**
     * What one run of requests took.
     *
     * @param outputTokens tokens generated after each sequence's first (those are decode tokens)
     */
    private record Run(double seconds, double firstTokenSeconds, long promptTokens, long outputTokens) {
        double decodeTokPerSec() {
            return outputTokens / (seconds - firstTokenSeconds);
        }

        double prefillTokPerSec() {
            return promptTokens / firstTokenSeconds;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 6) {
            System.err.println("usage: OfflineThroughput MODEL BACKEND N PROMPT_LEN OUTPUT_LEN PREFIX_LEN");
            System.exit(2);
        }
        Path model = Path.of(args[0]);
        String backend = args[1];
        int n = Integer.parseInt(args[2]);
        int promptLen = Integer.parseInt(args[3]);
        int outputLen = Integer.parseInt(args[4]);
        int prefixLen = Integer.parseInt(args[5]);
        SplittableRandom random = new SplittableRandom(7);
        EngineConfig config = EngineConfig.defaults(model).withBackend(backend);
        int vocab;
        try (Engine engine = Engine.start(config)) {
            vocab = engine.model().vocabSize();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                prompts.add(randomTokens(random, promptLen, vocab));
            }
            run(engine, List.of(prompts.get(0)), outputLen, "warm-up");
            double singleSeconds = 0;
            long singleOut = 0;
            double singleFirst = 0;
            for (int[] p : prompts) {
                Run r = run(engine, List.of(p), outputLen, "single");
                singleSeconds += r.seconds;
                singleFirst += r.firstTokenSeconds;
                singleOut += r.outputTokens;
            }
            Run one = new Run(singleSeconds, singleFirst, (long) n * promptLen, singleOut);
            // one at a time: prefill time is the sum of the first-token times, decode the rest
            Run together = run(engine, prompts, outputLen, "batch");
            System.out.printf("model %s, backend %s, %d prompts x %d tokens, %d output tokens each%n",
                    model.getFileName(), backend, n, promptLen, outputLen);
            System.out.println("| mode | wall s | prefill tok/s | decode tok/s (aggregate) |");
            System.out.println("|---|---|---|---|");
            System.out.printf("| one at a time | %.2f | %.1f | %.1f |%n", one.seconds, one.prefillTokPerSec(),
                    one.decodeTokPerSec());
            System.out.printf("| all %d together | %.2f | %.1f | %.1f |%n", n, together.seconds,
                    together.prefillTokPerSec(), together.decodeTokPerSec());
            System.out.printf("batching speed-up: %.2fx decode, %.2fx wall%n",
                    together.decodeTokPerSec() / one.decodeTokPerSec(), one.seconds / together.seconds);
            System.out.printf("KV cache waste (allocated slots holding no token, averaged over every step): %.2f %%%n",
                    engine.stats().kvCacheWaste() * 100);
        }
        if (prefixLen > 0) {
            int[] prefix = randomTokens(random, prefixLen, vocab);
            int[] first = concat(prefix, randomTokens(random, 16, vocab));
            int[] second = concat(prefix, randomTokens(random, 16, vocab));
            double cold;
            double hot;
            try (Engine engine = Engine.start(config.withPrefixCaching(false))) {
                run(engine, List.of(first), 1, "warm-up");
                cold = run(engine, List.of(second), 1, "cold").firstTokenSeconds;
            }
            try (Engine engine = Engine.start(config)) {
                run(engine, List.of(first), 1, "fill");
                hot = run(engine, List.of(second), 1, "hit").firstTokenSeconds;
            }
            System.out.printf("prefix cache: %d-token shared prefix + 16 new tokens: time to first token %.1f ms "
                    + "without caching, %.1f ms with a hit (%.1fx, %.1f ms saved)%n", prefixLen, cold * 1e3, hot * 1e3,
                    cold / hot, (cold - hot) * 1e3);
        }
    }

    /** Submits every prompt at once and reads each stream on its own virtual thread, noting arrival times. */
    private static Run run(Engine engine, List<int[]> prompts, int outputLen, String tag) throws InterruptedException {
        SamplingParams params = new SamplingParams(0f, 0, 1f, 0f, null, outputLen, 0, true, List.of(), 0f, 0f, 1f,
                java.util.Map.of(), -1);
        long start = System.nanoTime();
        List<TokenStream> streams = new ArrayList<>();
        for (int[] p : prompts) {
            streams.add(engine.submit(new EngineRequest(engine.nextRequestId() + "-" + tag, p, params)));
        }
        long[] firstToken = new long[streams.size()];
        long[] outputs = new long[streams.size()];
        long[] promptTokens = new long[streams.size()];
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            int index = i;
            readers.add(Thread.ofVirtual().start(() -> read(streams.get(index), index, firstToken, outputs, promptTokens)));
        }
        for (Thread t : readers) {
            t.join();
        }
        long end = System.nanoTime();
        // prefill ends when the last sequence has its first token; decode is everything after
        long lastFirst = Arrays.stream(firstToken).max().orElse(end);
        long out = Arrays.stream(outputs).sum() - streams.size();
        return new Run((end - start) / 1e9, (lastFirst - start) / 1e9, Arrays.stream(promptTokens).sum(), out);
    }

    private static void read(TokenStream stream, int index, long[] firstToken, long[] outputs, long[] promptTokens) {
        try {
            while (true) {
                StreamEvent e = stream.next();
                if (e instanceof StreamEvent.Token) {
                    if (outputs[index]++ == 0) {
                        firstToken[index] = System.nanoTime();
                    }
                } else if (e instanceof StreamEvent.Finished f) {
                    promptTokens[index] = f.promptTokens();
                    return;
                } else {
                    throw new IllegalStateException(((StreamEvent.Failed) e).message());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** BOS (id 1 in the SPM vocabularies used here) then ids from the upper part of the vocabulary. */
    private static int[] randomTokens(SplittableRandom random, int n, int vocab) {
        int[] t = new int[n];
        t[0] = 1;
        for (int i = 1; i < n; i++) {
            t[i] = vocab / 4 + random.nextInt(vocab / 2);
        }
        return t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
