package io.jserve.bench.serve;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The serving load generator's command line, modelled on {@code vllm bench serve --dataset-name random}:
 * {@code java -cp ... io.jserve.bench.serve.ServeBenchCommand --base-url http://127.0.0.1:8000 --num-prompts 64
 * --max-concurrency 8 --random-input-len 128 --random-output-len 128}.
 */
@Command(name = "bench-serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Load-test an OpenAI-compatible server with streaming /v1/completions (ignore_eos).")
public final class ServeBenchCommand implements Callable<Integer> {
    @Option(names = "--base-url", defaultValue = "http://127.0.0.1:8000", description = "server (default: ${DEFAULT-VALUE})")
    String baseUrl;

    @Option(names = "--model", description = "the model field (default: left out, the server's model)")
    String model;

    @Option(names = "--num-prompts", defaultValue = "64", description = "requests in all (default: ${DEFAULT-VALUE})")
    int numPrompts;

    @Option(names = "--max-concurrency", defaultValue = "8", description = "requests in flight (default: ${DEFAULT-VALUE})")
    int maxConcurrency;

    @Option(names = "--random-input-len", defaultValue = "128", description = "prompt tokens (default: ${DEFAULT-VALUE})")
    int inputLength;

    @Option(names = "--random-output-len", defaultValue = "128", description = "generated tokens (default: ${DEFAULT-VALUE})")
    int outputLength;

    @Option(names = "--request-rate", defaultValue = "Infinity",
            description = "mean requests/s, Poisson arrivals; Infinity = all at once (default: ${DEFAULT-VALUE})")
    double requestRate;

    @Option(names = "--vocab-size", defaultValue = "259",
            description = "prompt ids are drawn from [3, this); 259 = the byte tokens (default: ${DEFAULT-VALUE})")
    int vocabSize;

    @Option(names = "--seed", defaultValue = "0", description = "seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--api-key", description = "bearer token for the server")
    String apiKey;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServeBenchCommand()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        var settings = new ServeBenchmark.Settings(baseUrl.replaceAll("/+$", ""), Optional.ofNullable(model), numPrompts,
                maxConcurrency, inputLength, outputLength, requestRate, vocabSize, seed, Optional.ofNullable(apiKey));
        BenchmarkReport report = ServeBenchmark.run(settings);
        System.out.print(report.format(maxConcurrency));
        return report.failed() == 0 ? 0 : 1;
    }
}
