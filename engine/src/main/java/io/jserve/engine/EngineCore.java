package io.jserve.engine;

import io.jserve.engine.runner.ForwardBatchBuilder;
import io.jserve.engine.runner.ModelRunner;
import io.jserve.engine.runner.StepLogits;
import io.jserve.engine.sampling.Sampler;
import io.jserve.kernels.cpu.CpuBackend;
import io.jserve.kernels.cpu.CpuProfile;
import io.jserve.scheduler.FinishReason;
import io.jserve.scheduler.QueueFullException;
import io.jserve.scheduler.ScheduledBatch;
import io.jserve.scheduler.ScheduledSequence;
import io.jserve.scheduler.Scheduler;
import io.jserve.scheduler.Sequence;
import io.jserve.scheduler.SequenceStatus;
import io.jserve.scheduler.SequenceUpdate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The state the engine thread owns, and one step of work: schedule, build the forward batch, run the model,
 * sample, update the scheduler, publish tokens. Nothing here is touched by any other thread (DESIGN.md
 * principle 3); other threads reach it only through {@link Engine}'s inbox.
 */
final class EngineCore {
    private static final System.Logger LOG = System.getLogger(EngineCore.class.getName());

    private final Scheduler scheduler;
    private final ModelRunner runner;
    private final StepSampler stepSampler;
    private final ForwardBatchBuilder builder;
    private final Map<String, LiveRequest> live = new HashMap<>();
    private final SplittableRandom seeds;
    private long steps;
    private long kvSlotSteps;
    private long kvTokenSteps;

    EngineCore(Scheduler scheduler, ModelRunner runner, Sampler sampler, int vocabSize, Long seed) {
        this.scheduler = scheduler;
        this.runner = runner;
        this.stepSampler = new StepSampler(sampler, vocabSize);
        this.builder = new ForwardBatchBuilder(scheduler.config().blockSize());
        this.seeds = seed == null ? new SplittableRandom() : new SplittableRandom(seed);
    }

    /**
     * Runs a few throw-away steps (a prefill chunk, then decodes) through the model so the JIT compiles the
     * kernels before the first request: otherwise the first request pays seconds of interpreted vector code.
     * Writes only to the slots of block 0, which hold nothing yet.
     */
    void warmUp(int blockSize) {
        int chunk = Math.min(blockSize, runner.model().maxTokens());
        int[] tokens = new int[chunk];
        int[] blocks = {0};
        for (int step = 0; step < 3; step++) {
            builder.reset();
            if (step == 0) {
                builder.add(tokens, 0, blocks, true);
            } else {
                builder.add(new int[] {0}, Math.min(step, chunk - 1), blocks, true);
            }
            runner.run(builder.build());
        }
        if (CpuProfile.ENABLED && runner.backend() instanceof CpuBackend cpu) {
            cpu.profile().reset(); // the profile is of served steps, not of the JIT's first ones
        }
    }

    /** Admits a request; a full queue or an impossible prompt ends its stream at once. */
    void add(EngineRequest request, TokenStream stream) {
        if (stream.isCancelled()) {
            stream.offer(new StreamEvent.Finished(FinishReason.ABORT, request.promptLength(), 0, 0, 0));
            return;
        }
        Sequence seq = new Sequence(request.id(), request.promptTokens(), request.params());
        long seed = request.params().seed() != null ? request.params().seed() : seeds.nextLong();
        try {
            scheduler.add(seq);
        } catch (QueueFullException | IllegalArgumentException e) {
            stream.offer(new StreamEvent.Failed(e.getMessage()));
            return;
        }
        live.put(request.id(), new LiveRequest(seq, stream, seed));
    }

    /** Aborts a request in any state; its blocks return to the pool. */
    void abort(String id) {
        LiveRequest request = live.remove(id);
        if (request != null) {
            scheduler.abort(id);
            request.stream().offer(finished(request, FinishReason.ABORT));
        }
    }

    boolean hasWork() {
        return scheduler.hasUnfinished();
    }

    /** Runs one step over everything the scheduler picks. */
    void step() {
        long t0 = System.nanoTime();
        ScheduledBatch batch = scheduler.schedule();
        profile("scheduling", t0);
        if (batch.isEmpty()) {
            return;
        }
        int[] sampled;
        try {
            sampled = runAndSample(batch);
        } catch (RuntimeException e) {
            // a failure inside the model must not kill the engine thread: fail this step's requests only
            LOG.log(System.Logger.Level.ERROR, "step failed; aborting its " + batch.numSequences() + " requests", e);
            for (ScheduledSequence entry : batch.entries()) {
                fail(entry.sequence().id(), "internal error while running the model: " + e);
            }
            return;
        }
        steps++;
        long updateStart = System.nanoTime();
        for (SequenceUpdate update : scheduler.update(batch, sampled)) {
            publish(update);
        }
        profile("scheduler update + publish", updateStart);
        countKvOccupancy();
    }

    private int[] runAndSample(ScheduledBatch batch) {
        builder.reset();
        long now = System.nanoTime();
        for (ScheduledSequence entry : batch.entries()) {
            Sequence seq = entry.sequence();
            live.get(seq.id()).markScheduled(now);
            builder.add(entry.tokenIds(), entry.startPosition(), seq.blockTable().blockIds(), entry.sample());
        }
        StepLogits logits = runner.run(builder.build());
        long sampleStart = System.nanoTime();
        List<ScheduledSequence> toSample = batch.sampled();
        LiveRequest[] requests = new LiveRequest[toSample.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[i] = live.get(toSample.get(i).sequence().id());
        }
        int[] sampled = stepSampler.sample(logits, requests);
        profile("sampling", sampleStart);
        return sampled;
    }

    private void publish(SequenceUpdate update) {
        LiveRequest request = live.get(update.sequence().id());
        if (request == null) {
            return;
        }
        Sampler.Choice choice = request.lastChoice();
        request.stream().offer(new StreamEvent.Token(update.tokenId(), choice.logprob(), choice.topLogprobs()));
        Optional<FinishReason> reason = update.finishReason();
        if (reason.isPresent()) {
            live.remove(update.sequence().id());
            request.stream().offer(finished(request, reason.get()));
        }
    }

    private void fail(String id, String message) {
        LiveRequest request = live.remove(id);
        scheduler.abort(id);
        if (request != null) {
            request.stream().offer(new StreamEvent.Failed(message));
        }
    }

    /** Ends every request (engine shutdown). */
    void abortAll() {
        for (String id : List.copyOf(live.keySet())) {
            abort(id);
        }
    }

    private static StreamEvent.Finished finished(LiveRequest request, FinishReason reason) {
        Sequence seq = request.sequence();
        return new StreamEvent.Finished(reason, seq.numPromptTokens(), seq.numCachedTokens(), seq.numOutputTokens(),
                request.queueTimeNanos());
    }

    /** Adds this step's KV slots held by running sequences, and the tokens in them, to the waste counters. */
    private void countKvOccupancy() {
        int blockSize = scheduler.config().blockSize();
        for (LiveRequest request : live.values()) {
            Sequence seq = request.sequence();
            if (seq.status() == SequenceStatus.RUNNING) {
                kvSlotSteps += (long) seq.blockTable().size() * blockSize;
                kvTokenSteps += seq.numComputedTokens();
            }
        }
    }

    /** Adds the time since {@code startNanos} to the CPU backend's step profile ({@code -Djserve.profile=true}). */
    private void profile(String part, long startNanos) {
        if (CpuProfile.ENABLED && runner.backend() instanceof CpuBackend cpu) {
            cpu.profile().since(part, startNanos);
        }
    }

    /** The step profile as a table, or empty when profiling is off or the backend keeps none. */
    java.util.Optional<String> profileTable() {
        if (CpuProfile.ENABLED && runner.backend() instanceof CpuBackend cpu && steps > 0) {
            return java.util.Optional.of(cpu.profile().table((int) Math.min(Integer.MAX_VALUE, steps)));
        }
        return java.util.Optional.empty();
    }

    EngineStats stats() {
        var kv = scheduler.kvCache();
        return new EngineStats(scheduler.numRunning(), scheduler.numWaiting(), kv.numTotalBlocks(),
                kv.numFreeBlocks(), kv.prefixCacheQueries(), kv.prefixCacheHits(), scheduler.numPreemptions(),
                scheduler.computedPromptTokens(), scheduler.generatedTokens(), steps, kvSlotSteps, kvTokenSteps,
                stepSampler.fullRowSamples());
    }
}
