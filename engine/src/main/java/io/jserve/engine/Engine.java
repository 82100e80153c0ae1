package io.jserve.engine;

import io.jserve.engine.model.LlamaModel;
import io.jserve.engine.model.LoadedModel;
import io.jserve.engine.runner.ModelRunner;
import io.jserve.engine.sampling.Sampler;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.scheduler.QueueFullException;
import io.jserve.scheduler.Scheduler;
import io.jserve.scheduler.SchedulerConfig;
import io.jserve.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The serving engine: one model, one KV pool, one engine thread doing continuous batching. Any thread may
 * {@link #submit} requests and read their {@link TokenStream}s; only the engine thread touches the scheduler,
 * the KV bookkeeping and the model (DESIGN.md principle 3). Commands reach it through an inbox.
 *
 * <p>The loop: drain the inbox (adds, aborts) → schedule → one forward pass over every scheduled token →
 * sample → update → publish. It blocks on the inbox only when nothing is running or waiting.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    /** What other threads ask of the engine thread. */
    private sealed interface Command {
        record Add(EngineRequest request, TokenStream stream) implements Command {
        }

        record Abort(String requestId) implements Command {
        }

        record Stop() implements Command {
        }
    }

    private final LoadedModel model;
    private final ModelInfo info;
    private final KvCacheStorage kvStorage;
    private final EngineCore core;
    private final int maxModelLen;
    private final int maxWaiting;
    private final LinkedBlockingQueue<Command> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final AtomicLong requestCounter = new AtomicLong();
    private volatile EngineStats stats;
    private volatile boolean stopped;

    private Engine(EngineConfig config, LoadedModel model) {
        this.model = model;
        var modelConfig = model.config();
        if (config.maxModelLen() > modelConfig.contextLength()) {
            throw new IllegalArgumentException("max-model-len %d exceeds the model's context length %d"
                    .formatted(config.maxModelLen(), modelConfig.contextLength()));
        }
        this.maxModelLen = config.maxModelLen() > 0 ? config.maxModelLen() : modelConfig.contextLength();
        KvCacheShape shape = KvPoolSizing.shape(config, modelConfig, maxModelLen, model.backend().deviceMemory(),
                model.backend().kvCacheBytesPerValue());
        this.maxWaiting = config.maxNumQueuedRequests();
        int maxSeqs = Math.min(config.maxNumSeqs(), config.maxNumBatchedTokens());
        SchedulerConfig schedulerConfig = new SchedulerConfig(maxSeqs, config.maxNumBatchedTokens(),
                shape.blockSize(), maxModelLen, shape.numBlocks(), maxWaiting, config.enablePrefixCaching());
        Tokenizer tokenizer = model.tokenizer();
        Scheduler scheduler = new Scheduler(schedulerConfig, tokenizer.eosIds());
        this.kvStorage = model.backend().allocateKvCache(shape);
        LlamaModel llama = new LlamaModel(modelConfig, model.weights(), model.backend(),
                config.maxNumBatchedTokens(), maxSeqs);
        this.core = new EngineCore(scheduler, new ModelRunner(llama, model.backend(), kvStorage),
                new Sampler(modelConfig.vocabSize(), tokenizer.eosIds()), modelConfig.vocabSize(), config.seed());
        String name = model.path().getFileName().toString().replaceFirst("\\.gguf$", "");
        this.info = new ModelInfo(name, model.path(), modelConfig.architecture(), maxModelLen,
                modelConfig.vocabSize(), model.chatTemplate(), model.backendDescription());
        long warmStart = System.nanoTime();
        core.warmUp(shape.blockSize());
        LOG.log(System.Logger.Level.INFO, "warm-up: {0} ms", (System.nanoTime() - warmStart) / 1_000_000);
        this.stats = core.stats();
        long kvMiB = shape.bytesAsF32() / Float.BYTES * model.backend().kvCacheBytesPerValue() >> 20;
        LOG.log(System.Logger.Level.INFO, "KV pool: {0} blocks of {1} tokens ({2} MiB), max model len {3}, "
                        + "{4} batch slots, {5} tokens per step, prefix caching {6}", shape.numBlocks(),
                shape.blockSize(), kvMiB, maxModelLen, maxSeqs, config.maxNumBatchedTokens(),
                config.enablePrefixCaching() ? "on" : "off");
        this.thread = Thread.ofPlatform().name("jserve-engine").daemon(true).unstarted(this::loop);
    }

    /** Loads the model and starts the engine thread. */
    public static Engine start(EngineConfig config) {
        Objects.requireNonNull(config, "config");
        LoadedModel model = LoadedModel.load(config.modelPath(), config.backend());
        try {
            Engine engine = new Engine(config, model);
            engine.thread.start();
            return engine;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Submits a request; its tokens arrive on the returned stream.
     *
     * @throws QueueFullException       when the waiting queue is at its bound (answer 429)
     * @throws IllegalArgumentException when prompt plus {@code max_tokens} exceeds the context, or a prompt token
     *                                  is outside the vocabulary
     * @throws IllegalStateException    after {@link #close()}
     */
    public TokenStream submit(EngineRequest request) {
        Objects.requireNonNull(request, "request");
        if (stopped) {
            throw new IllegalStateException("the engine is shut down");
        }
        int vocab = info.vocabSize();
        for (int id : request.promptTokens()) {
            if (id < 0 || id >= vocab) {
                throw new IllegalArgumentException("token id %d is outside the vocabulary (0 to %d)".formatted(id, vocab - 1));
            }
        }
        int total = request.promptLength() + request.params().maxTokens();
        if (total > maxModelLen) {
            throw new IllegalArgumentException(("this model's maximum context length is %d tokens, but %d were "
                    + "requested (%d in the prompt, %d to generate)").formatted(maxModelLen, total,
                    request.promptLength(), request.params().maxTokens()));
        }
        if (inbox.size() + stats.numWaiting() >= maxWaiting) {
            throw new QueueFullException(maxWaiting);
        }
        TokenStream stream = new TokenStream(request.id(), this::abort);
        inbox.add(new Command.Add(request, stream));
        return stream;
    }

    /** A fresh request id ("req-N"), unique within this engine. */
    public String nextRequestId() {
        return "req-" + requestCounter.incrementAndGet();
    }

    /** Aborts a request by id, in any state (also done by {@link TokenStream#cancel()}). */
    public void abort(String requestId) {
        inbox.add(new Command.Abort(requestId));
    }

    public ModelInfo model() {
        return info;
    }

    public Tokenizer tokenizer() {
        return model.tokenizer();
    }

    /** The counters as of the last step. */
    public EngineStats stats() {
        return stats;
    }

    private void loop() {
        List<Command> batch = new ArrayList<>();
        try {
            while (true) {
                if (!core.hasWork()) {
                    batch.add(inbox.take());
                }
                inbox.drainTo(batch);
                for (Command command : batch) {
                    switch (command) {
                        case Command.Add add -> core.add(add.request(), add.stream());
                        case Command.Abort abort -> core.abort(abort.requestId());
                        case Command.Stop stop -> {
                            core.abortAll();
                            stats = core.stats();
                            return;
                        }
                    }
                }
                batch.clear();
                core.step();
                stats = core.stats();
            }
        } catch (InterruptedException e) {
            core.abortAll();
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "engine thread died", e);
            core.abortAll();
            throw e;
        }
    }

    /** Aborts everything in flight, stops the engine thread and releases the model. */
    @Override
    public void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        inbox.add(new Command.Stop());
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        core.profileTable().ifPresent(table ->
                LOG.log(System.Logger.Level.INFO, "step profile (-Djserve.profile=true), per engine step:\n" + table));
        kvStorage.close();
        model.close();
    }
}
