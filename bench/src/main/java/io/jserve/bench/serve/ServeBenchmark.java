package io.jserve.bench.serve;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Drives a server with streaming {@code /v1/completions} requests ({@code ignore_eos}, so every request generates
 * exactly {@code outputLength} tokens) at a bounded concurrency, optionally with Poisson arrivals, and reports what
 * {@code vllm bench serve} reports.
 */
public final class ServeBenchmark {
    /**
     * What to run.
     *
     * @param baseUrl        e.g. {@code http://127.0.0.1:8000}
     * @param model          the {@code model} field; empty leaves it out
     * @param numPrompts     requests in all
     * @param maxConcurrency requests in flight at most
     * @param inputLength    prompt tokens per request
     * @param outputLength   generated tokens per request
     * @param requestRate    mean arrivals per second (Poisson); infinite sends as fast as concurrency allows
     * @param vocabSize      prompt token ids are drawn below this
     * @param seed           seed of the prompts and the arrival times
     * @param apiKey         bearer token, if the server wants one
     */
    public record Settings(String baseUrl, Optional<String> model, int numPrompts, int maxConcurrency,
                           int inputLength, int outputLength, double requestRate, int vocabSize, long seed,
                           Optional<String> apiKey) {
        public Settings {
            if (numPrompts < 1 || maxConcurrency < 1 || outputLength < 1 || !(requestRate > 0)) {
                throw new IllegalArgumentException("num-prompts, max-concurrency, output length and request rate "
                        + "must be positive");
            }
        }
    }

    private ServeBenchmark() {
    }

    /** Runs the benchmark (blocking) and returns its report. */
    public static BenchmarkReport run(Settings settings) throws InterruptedException {
        StreamingClient client = new StreamingClient(URI.create(settings.baseUrl() + "/v1/completions"), settings.apiKey());
        List<String> bodies = RandomPrompts.generate(settings.numPrompts(), settings.inputLength(), 3,
                settings.vocabSize(), settings.seed()).stream().map(ids -> body(settings, ids)).toList();
        Semaphore slots = new Semaphore(settings.maxConcurrency());
        SplittableRandom arrivals = new SplittableRandom(settings.seed() ^ 0x5DEECE66DL);
        List<Future<RequestResult>> futures = new ArrayList<>(bodies.size());
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (String body : bodies) {
                if (Double.isFinite(settings.requestRate())) {
                    double gapSeconds = -Math.log(1 - arrivals.nextDouble()) / settings.requestRate();
                    TimeUnit.NANOSECONDS.sleep((long) (gapSeconds * 1e9));
                }
                slots.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        return client.send(body);
                    } finally {
                        slots.release();
                    }
                }));
            }
            List<RequestResult> results = new ArrayList<>(futures.size());
            for (Future<RequestResult> future : futures) {
                try {
                    results.add(future.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    results.add(RequestResult.failed(e.getCause().toString()));
                }
            }
            return BenchmarkReport.of(results, System.nanoTime() - start);
        }
    }

    private static String body(Settings settings, int[] ids) {
        String prompt = Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        return "{" + settings.model().map(m -> "\"model\":\"" + m.replace("\"", "\\\"") + "\",").orElse("")
                + "\"prompt\":" + prompt + ",\"max_tokens\":" + settings.outputLength()
                + ",\"ignore_eos\":true,\"temperature\":0,\"stream\":true,\"stream_options\":{\"include_usage\":true}}";
    }
}
