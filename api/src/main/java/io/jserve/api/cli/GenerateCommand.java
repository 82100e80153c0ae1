package io.jserve.api.cli;

import io.jserve.engine.Engine;
import io.jserve.engine.EngineConfig;
import io.jserve.engine.EngineRequest;
import io.jserve.engine.StreamEvent;
import io.jserve.engine.TokenStream;
import io.jserve.scheduler.SamplingParams;
import io.jserve.tokenizer.IncrementalDecoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bin/generate}: runs one prompt through the engine offline and streams the completion to stdout, or,
 * with {@code --input}, a whole JSONL file of requests batched together by the engine (see {@link BatchRunner}).
 * Token counts and speed go to stderr.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text from a prompt with a GGUF model (offline, no server).")
public final class GenerateCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "PATH",
            description = "GGUF model file (default: ../shared/models/stories260K.gguf, else a synthetic model)")
    Path model;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "the prompt (single mode)")
    String prompt;

    @Option(names = "--max-tokens", paramLabel = "N", defaultValue = "128",
            description = "most tokens to generate (default: ${DEFAULT-VALUE})")
    int maxTokens;

    @Option(names = "--temperature", paramLabel = "T", defaultValue = "0.8",
            description = "sampling temperature, 0 = greedy (default: ${DEFAULT-VALUE})")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "top-k, 0 = off (default: ${DEFAULT-VALUE})")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "top-p (default: ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "min-p, 0 = off (default: ${DEFAULT-VALUE})")
    float minP;

    @Option(names = "--seed", paramLabel = "S", description = "random seed (default: a random one)")
    Long seed;

    @Option(names = "--ignore-eos", description = "keep generating past the end-of-sequence token")
    boolean ignoreEos;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "auto, cpu, cuda or reference (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--input", paramLabel = "FILE", description = "batch mode: JSONL requests (OpenAI Batch API lines)")
    Path input;

    @Option(names = "--output", paramLabel = "FILE", description = "batch mode: JSONL results (default: stdout)")
    Path output;

    @Option(names = "--max-num-seqs", paramLabel = "N", defaultValue = "" + EngineConfig.DEFAULT_MAX_NUM_SEQS,
            description = "batch slots (default: ${DEFAULT-VALUE})")
    int maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", paramLabel = "N", defaultValue = "" + EngineConfig.DEFAULT_MAX_NUM_BATCHED_TOKENS,
            description = "token budget per step (default: ${DEFAULT-VALUE})")
    int maxNumBatchedTokens;

    @Option(names = "--num-kv-blocks", paramLabel = "N", defaultValue = "0",
            description = "KV blocks in the pool, 0 = derived (default: ${DEFAULT-VALUE})")
    int numKvBlocks;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GenerateCommand()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if ((prompt == null) == (input == null)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "give exactly one of --prompt or --input");
        }
        Path modelPath = model != null ? model : DefaultModel.resolve();
        EngineConfig config = EngineConfig.defaults(modelPath).withBackend(backend).withMaxNumSeqs(maxNumSeqs)
                .withMaxNumBatchedTokens(maxNumBatchedTokens).withNumKvBlocks(numKvBlocks);
        try (Engine engine = Engine.start(config)) {
            if (input != null) {
                return new BatchRunner(engine, defaults()).run(input, output);
            }
            return single(engine);
        }
    }

    private SamplingParams defaults() {
        return new SamplingParams(temperature, topK, topP, minP, seed, maxTokens, 0, ignoreEos, List.of(),
                0f, 0f, 1f, Map.of(), -1);
    }

    private int single(Engine engine) throws InterruptedException {
        int[] ids = engine.tokenizer().encode(prompt, true, false);
        long start = System.nanoTime();
        long firstToken = 0;
        TokenStream stream = engine.submit(new EngineRequest("generate-0", ids, defaults()));
        IncrementalDecoder decoder = new IncrementalDecoder(engine.tokenizer());
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        int generated = 0;
        while (true) {
            StreamEvent event = stream.next();
            if (event instanceof StreamEvent.Token token) {
                if (generated++ == 0) {
                    firstToken = System.nanoTime();
                }
                out.print(decoder.add(token.tokenId()));
                out.flush();
            } else if (event instanceof StreamEvent.Failed failed) {
                System.err.println("error: " + failed.message());
                return 1;
            } else {
                break;
            }
        }
        out.println(decoder.flush());
        out.flush();
        long end = System.nanoTime();
        double decodeSeconds = (end - firstToken) / 1e9;
        System.err.printf("prompt tokens: %d, generated tokens: %d, time to first token: %.1f ms, "
                        + "decode: %.2f tok/s, total: %.2f tok/s%n", ids.length, generated,
                (firstToken - start) / 1e6, generated > 1 ? (generated - 1) / decodeSeconds : 0.0,
                generated / ((end - start) / 1e9));
        return 0;
    }
}
