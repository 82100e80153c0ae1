package io.jserve.api.cli;

import io.jserve.api.cli.config.ByteSize;
import io.jserve.api.cli.config.ConfigFile;
import io.jserve.api.cli.config.LayeredDefaults;
import io.jserve.api.server.OpenAiServer;
import io.jserve.api.server.ServerConfig;
import io.jserve.engine.EngineConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * {@code bin/serve}: the OpenAI-compatible server. Flags are named as vLLM names them; each can also come from the
 * environment ({@code JSERVE_PORT}) or a YAML file ({@code --config}), with the command line winning, then the
 * environment, then the file. A bad value stops the start with one line on stderr and exit code 2.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serve a GGUF model over an OpenAI-compatible HTTP API.")
public final class ServeCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML file of option values (keys = option names)")
    Path config;

    @Option(names = "--model", paramLabel = "PATH",
            description = "GGUF model file (default: ../shared/models/stories260K.gguf, else a synthetic model)")
    Path model;

    @Option(names = "--served-model-name", paramLabel = "NAME",
            description = "name clients pass as 'model' (default: the file's base name)")
    String servedModelName;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "port to bind (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--max-num-seqs", paramLabel = "N", defaultValue = "" + EngineConfig.DEFAULT_MAX_NUM_SEQS,
            description = "batch slots: most sequences running at once (default: ${DEFAULT-VALUE})")
    int maxNumSeqs;

    @Option(names = "--max-num-batched-tokens", paramLabel = "N",
            defaultValue = "" + EngineConfig.DEFAULT_MAX_NUM_BATCHED_TOKENS,
            description = "token budget of one engine step (default: ${DEFAULT-VALUE})")
    int maxNumBatchedTokens;

    @Option(names = "--block-size", paramLabel = "N", defaultValue = "" + EngineConfig.DEFAULT_BLOCK_SIZE,
            description = "tokens per KV-cache block (default: ${DEFAULT-VALUE})")
    int blockSize;

    @Option(names = "--num-kv-blocks", paramLabel = "N", defaultValue = "0",
            description = "KV-cache blocks; 0 derives them (default: ${DEFAULT-VALUE})")
    int numKvBlocks;

    @Option(names = "--kv-cache-memory", paramLabel = "BYTES", defaultValue = "0",
            description = "bytes for the KV cache, e.g. 2GiB; 0 derives it (default: ${DEFAULT-VALUE})")
    String kvCacheMemory;

    @Option(names = "--max-model-len", paramLabel = "N", defaultValue = "0",
            description = "longest sequence (prompt + output); 0 takes the model's (default: ${DEFAULT-VALUE})")
    int maxModelLen;

    @Option(names = "--max-num-queued-requests", paramLabel = "N",
            defaultValue = "" + EngineConfig.DEFAULT_MAX_NUM_QUEUED_REQUESTS,
            description = "waiting-queue bound; beyond it requests get 429 (default: ${DEFAULT-VALUE})")
    int maxNumQueuedRequests;

    @Option(names = "--enable-prefix-caching", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "reuse the KV cache of shared prompt prefixes (default: on)")
    boolean enablePrefixCaching;

    @Option(names = "--api-key", paramLabel = "KEY", split = ",",
            description = "accepted bearer token; repeat or comma-separate for several (default: none, no auth)")
    List<String> apiKeys;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "Jinja chat template overriding the model's")
    Path chatTemplate;

    @Option(names = "--seed", description = "seed for requests that give none (default: random per request)")
    Long seed;

    @Option(names = "--gpu-memory-utilization", paramLabel = "F", defaultValue = "0.9",
            description = "fraction of GPU memory the CUDA backend may use (default: ${DEFAULT-VALUE})")
    double gpuMemoryUtilization;

    @Option(names = "--max-request-size", paramLabel = "BYTES", defaultValue = "4MiB",
            description = "larger request bodies get 413 (default: ${DEFAULT-VALUE})")
    String maxRequestSize;

    @Option(names = "--read-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "close connections that send nothing for this long (default: ${DEFAULT-VALUE})")
    int readTimeout;

    @Option(names = "--shutdown-grace-period", paramLabel = "SECONDS", defaultValue = "30",
            description = "after SIGTERM, how long in-flight requests may finish (default: ${DEFAULT-VALUE})")
    int shutdownGracePeriod;

    public static void main(String[] args) {
        System.exit(run(args, System.getenv()));
    }

    /** Parses {@code args} (with {@code env} and any config file) and serves until SIGTERM. */
    static int run(String[] args, Map<String, String> env) {
        OneLineLogFormat.installIfUnset();
        ServeCommand command = new ServeCommand();
        CommandLine cli = new CommandLine(command);
        cli.setParameterExceptionHandler((e, ignored) -> {
            System.err.println("serve: " + e.getMessage() + " (see --help)");
            return 2;
        });
        try {
            cli.setDefaultValueProvider(new LayeredDefaults(env, configFile(args, env, cli)));
        } catch (IllegalArgumentException e) {
            System.err.println("serve: " + e.getMessage());
            return 2;
        }
        return cli.execute(args);
    }

    /** The config file's values, when {@code --config} (or {@code JSERVE_CONFIG}) names one. */
    private static Map<String, String> configFile(String[] args, Map<String, String> env, CommandLine cli) {
        String path = env.get(LayeredDefaults.environmentName("config"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                path = args[i + 1];
            } else if (args[i].startsWith("--config=")) {
                path = args[i].substring("--config=".length());
            }
        }
        if (path == null) {
            return Map.of();
        }
        Set<String> known = cli.getCommandSpec().options().stream()
                .map(o -> o.longestName().replaceFirst("^-+", "")).collect(Collectors.toSet());
        return ConfigFile.read(Path.of(path), known);
    }

    @Override
    public Integer call() {
        ServerConfig serverConfig;
        EngineConfig engineConfig;
        try {
            serverConfig = serverConfig();
            engineConfig = engineConfig();
        } catch (IllegalArgumentException e) {
            System.err.println("serve: " + e.getMessage());
            return 2;
        }
        logEffectiveConfig();
        OpenAiServer server;
        try {
            server = OpenAiServer.start(serverConfig);
        } catch (RuntimeException e) {
            System.err.println("serve: cannot listen on " + host + ":" + port + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // stderr, not the logger: java.util.logging resets its handlers in its own shutdown hook.
            System.err.println("serve: shutting down; in-flight requests may finish for up to "
                    + shutdownGracePeriod + " s");
            server.close();
            System.err.println("serve: stopped");
            stopped.countDown();
        }, "jserve-shutdown"));
        LoadProgress progress = LoadProgress.start(engineConfig.modelPath());
        try {
            server.load(engineConfig);
        } catch (RuntimeException e) {
            System.err.println("serve: cannot load " + engineConfig.modelPath() + ": " + e.getMessage());
            return 1;
        } finally {
            progress.close();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    ServerConfig serverConfig() {
        if (chatTemplate != null && !Files.isRegularFile(chatTemplate)) {
            throw new IllegalArgumentException("--chat-template: no such file " + chatTemplate);
        }
        if (readTimeout < 1) {
            throw new IllegalArgumentException("--read-timeout must be at least 1 second, got " + readTimeout);
        }
        if (shutdownGracePeriod < 0) {
            throw new IllegalArgumentException("--shutdown-grace-period must not be negative, got " + shutdownGracePeriod);
        }
        return new ServerConfig(host, port, Optional.ofNullable(servedModelName),
                apiKeys == null ? List.of() : apiKeys, Optional.ofNullable(chatTemplate),
                parseBytes("--max-request-size", maxRequestSize), Duration.ofSeconds(shutdownGracePeriod),
                Duration.ofSeconds(readTimeout));
    }

    EngineConfig engineConfig() {
        if (backend.equals("reference")) {
            throw new IllegalArgumentException("--backend must be auto, cpu or cuda, got 'reference'");
        }
        Path modelPath = model != null ? model : DefaultModel.resolve();
        if (!Files.isRegularFile(modelPath)) {
            throw new IllegalArgumentException("--model: no such file " + modelPath);
        }
        return new EngineConfig(modelPath, backend, maxNumSeqs, maxNumBatchedTokens, blockSize, numKvBlocks,
                parseBytes("--kv-cache-memory", kvCacheMemory), maxModelLen, maxNumQueuedRequests,
                enablePrefixCaching, seed, gpuMemoryUtilization);
    }

    private static long parseBytes(String flag, String value) {
        try {
            return ByteSize.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + ": " + e.getMessage());
        }
    }

    /** Logs every option's effective value on one line (API keys masked). */
    private void logEffectiveConfig() {
        String values = spec.options().stream()
                .filter(o -> !o.usageHelp() && !o.versionHelp())
                .map(o -> o.longestName() + "=" + shown(o))
                .collect(Collectors.joining(" "));
        LOG.log(System.Logger.Level.INFO, "effective configuration: {0}", values);
    }

    private static String shown(OptionSpec option) {
        Object value = option.getValue();
        if (option.longestName().equals("--api-key")) {
            return value == null ? "[]" : "[" + ((List<?>) value).size() + " keys]";
        }
        return value instanceof Object[] array ? Arrays.toString(array) : String.valueOf(value);
    }
}
