package io.jserve.scheduler;

import io.jserve.kvcache.KvCacheManager;
import io.jserve.kvcache.PrefixHit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, each step, which sequences run and how many of their tokens (the one counter rule): every scheduled
 * sequence gets {@code min(numTokens - numComputedTokens, remaining budget)} tokens.
 *
 * <ul>
 *   <li>Running sequences first, in the order they started, then waiting ones, first come first served: a
 *       waiting sequence that does not fit stops admission (no overtaking). So only the newest running
 *       sequence can be mid-prefill, and decodes never wait behind a long prompt.</li>
 *   <li>Long prompts are cut by the budget (chunked prefill, always on); only the chunk that reaches the end of
 *       a sequence's known tokens is sampled.</li>
 *   <li>A waiting sequence first takes its cached prefix ({@link KvCacheManager#findPrefix}), so its counter
 *       starts above 0.</li>
 *   <li>When the pool cannot give a running sequence its blocks, the newest running sequence is preempted by
 *       recompute: its blocks are freed (they stay in the prefix cache), its counter goes back to 0 and it
 *       returns to the front of the waiting queue. No sequence is admitted in a step that preempted.</li>
 * </ul>
 * Not thread-safe: owned by the engine thread.
 */
public final class Scheduler {
    private final SchedulerConfig config;
    private final KvCacheManager kv;
    private final StopChecker stops;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Map<String, Sequence> live = new HashMap<>();
    private long numPreemptions;
    private long computedPromptTokens;
    private long generatedTokens;

    /**
     * @param eosTokenIds tokens that end a sequence (unless it asks to ignore EOS)
     */
    public Scheduler(SchedulerConfig config, Collection<Integer> eosTokenIds) {
        this(config, eosTokenIds, new KvCacheManager(config.numKvBlocks(), config.blockSize(),
                config.enablePrefixCaching()));
    }

    /** With a given KV manager, which must match the config's pool (for tests that fix the hash seed). */
    public Scheduler(SchedulerConfig config, Collection<Integer> eosTokenIds, KvCacheManager kv) {
        this.config = Objects.requireNonNull(config, "config");
        this.kv = Objects.requireNonNull(kv, "kv");
        if (kv.blockSize() != config.blockSize() || kv.numTotalBlocks() != config.numKvBlocks()
                || kv.prefixCachingEnabled() != config.enablePrefixCaching()) {
            throw new IllegalArgumentException("the KV cache manager does not match the scheduler config");
        }
        Set<Integer> eos = new HashSet<>(Objects.requireNonNull(eosTokenIds, "eosTokenIds"));
        this.stops = new StopChecker(eos, config.maxModelLen());
    }

    /**
     * Queues a new sequence at the back of the waiting queue.
     *
     * @throws QueueFullException       when {@code maxWaiting} sequences already wait
     * @throws IllegalArgumentException when the sequence is not new, its id is in use, its prompt exceeds
     *                                  {@code maxModelLen}, or its longest possible KV need exceeds the whole
     *                                  pool (it could never finish, even alone)
     */
    public void add(Sequence seq) {
        Objects.requireNonNull(seq, "seq");
        if (seq.status() != SequenceStatus.WAITING || seq.numComputedTokens() != 0 || seq.blockTable().size() != 0) {
            throw new IllegalArgumentException("sequence " + seq.id() + " is not new: " + seq);
        }
        if (live.containsKey(seq.id())) {
            throw new IllegalArgumentException("a sequence with id " + seq.id() + " is already queued or running");
        }
        int prompt = seq.numPromptTokens();
        if (prompt > config.maxModelLen()) {
            throw new IllegalArgumentException("the prompt has %d tokens, more than the maximum model length %d"
                    .formatted(prompt, config.maxModelLen()));
        }
        // KV is needed for every token but the last one generated, and never beyond maxModelLen.
        long maxKvTokens = Math.min((long) prompt + seq.params().maxTokens() - 1, config.maxModelLen());
        long blocksNeeded = (maxKvTokens + config.blockSize() - 1) / config.blockSize();
        if (blocksNeeded > config.numKvBlocks()) {
            throw new IllegalArgumentException(
                    "the request may need %d tokens of KV cache (%d prompt + %d max tokens), the pool holds %d"
                            .formatted(maxKvTokens, prompt, seq.params().maxTokens(), config.kvCapacityTokens()));
        }
        if (waiting.size() >= config.maxWaiting()) {
            throw new QueueFullException(config.maxWaiting());
        }
        waiting.addLast(seq);
        live.put(seq.id(), seq);
    }

    /** Aborts a live sequence, waiting or running, freeing its blocks; empty when no such sequence is live. */
    public Optional<Sequence> abort(String id) {
        Sequence seq = live.remove(Objects.requireNonNull(id, "id"));
        if (seq == null) {
            return Optional.empty();
        }
        if (seq.status() == SequenceStatus.RUNNING) {
            running.remove(seq);
        } else {
            waiting.remove(seq);
        }
        kv.free(seq.blockTable());
        seq.setStatus(SequenceStatus.FINISHED_ABORTED);
        return Optional.of(seq);
    }

    /** Chooses the next step's sequences and token counts, allocating their KV slots. */
    public ScheduledBatch schedule() {
        int budget = config.maxNumBatchedTokens();
        List<ScheduledSequence> entries = new ArrayList<>();
        List<Sequence> preempted = new ArrayList<>();
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence seq = running.get(i);
            int n = Math.min(seq.numTokens() - seq.numComputedTokens(), budget);
            boolean fits = true;
            while (!kv.allocateSlots(seq.blockTable(), seq.numComputedTokens(), n)) {
                Sequence victim = running.removeLast(); // newest first: never one scheduled earlier this step
                preempt(victim);
                preempted.add(victim);
                if (victim == seq) {
                    fits = false;
                    break;
                }
            }
            if (!fits) {
                break;
            }
            entries.add(entry(seq, n));
            budget -= n;
        }
        while (preempted.isEmpty() && budget > 0 && !waiting.isEmpty() && running.size() < config.maxNumSeqs()) {
            Sequence seq = waiting.peekFirst();
            PrefixHit hit = kv.findPrefix(seq.blockTable(), seq.tokenBuffer(), seq.numTokens());
            int n = Math.min(seq.numTokens() - hit.numHitTokens(), budget);
            if (!kv.allocateSlots(seq.blockTable(), hit, n)) {
                break; // first come, first served: nobody overtakes the head of the queue
            }
            waiting.pollFirst();
            seq.setNumComputedTokens(hit.numHitTokens());
            seq.markScheduled(hit.numHitTokens());
            seq.setStatus(SequenceStatus.RUNNING);
            running.add(seq);
            entries.add(entry(seq, n));
            budget -= n;
        }
        return new ScheduledBatch(entries, preempted, config.maxNumBatchedTokens() - budget);
    }

    private static ScheduledSequence entry(Sequence seq, int n) {
        int start = seq.numComputedTokens();
        return new ScheduledSequence(seq, n, start, start + n == seq.numTokens());
    }

    private void preempt(Sequence seq) {
        kv.free(seq.blockTable());
        seq.setNumComputedTokens(0);
        seq.setStatus(SequenceStatus.PREEMPTED);
        seq.countPreemption();
        waiting.addFirst(seq);
        numPreemptions++;
    }

    /**
     * Applies a step's results: advances every scheduled sequence's counter, caches its newly full blocks,
     * appends the sampled tokens, checks stops and frees finished sequences.
     *
     * @param batch          the batch returned by the last {@link #schedule()}
     * @param sampledTokens  one token per sampled entry of the batch, in batch order
     * @return one update per sampled sequence, in batch order
     */
    public List<SequenceUpdate> update(ScheduledBatch batch, int[] sampledTokens) {
        Objects.requireNonNull(batch, "batch");
        if (sampledTokens.length != batch.numSampled()) {
            throw new IllegalArgumentException("the batch samples %d sequences, got %d tokens"
                    .formatted(batch.numSampled(), sampledTokens.length));
        }
        List<SequenceUpdate> updates = new ArrayList<>(sampledTokens.length);
        int next = 0;
        boolean anyFinished = false;
        for (ScheduledSequence e : batch.entries()) {
            Sequence seq = e.sequence();
            int token = e.sample() ? sampledTokens[next++] : -1;
            if (seq.status() != SequenceStatus.RUNNING || seq.numComputedTokens() != e.startPosition()) {
                continue; // aborted (or preempted) after the step was scheduled: its results are void
            }
            computedPromptTokens += Math.max(0, Math.min(e.contextLength(), seq.numPromptTokens()) - e.startPosition());
            seq.setNumComputedTokens(e.contextLength());
            kv.cacheFullBlocks(seq.blockTable(), seq.tokenBuffer(), seq.numComputedTokens());
            if (!e.sample()) {
                continue;
            }
            seq.appendToken(token);
            generatedTokens++;
            Optional<FinishReason> reason = stops.check(seq);
            reason.ifPresent(r -> finish(seq, r));
            anyFinished |= reason.isPresent();
            updates.add(new SequenceUpdate(seq, token, reason));
        }
        if (anyFinished) {
            running.removeIf(s -> s.status().isFinished());
        }
        return updates;
    }

    private void finish(Sequence seq, FinishReason reason) {
        kv.free(seq.blockTable());
        seq.setStatus(SequenceStatus.finishedBy(reason));
        live.remove(seq.id());
    }

    public SchedulerConfig config() {
        return config;
    }

    /** The KV manager, for its counters (blocks used/free, usage, prefix-cache queries and hits). */
    public KvCacheManager kvCache() {
        return kv;
    }

    public int numRunning() {
        return running.size();
    }

    public int numWaiting() {
        return waiting.size();
    }

    /** Whether any sequence is waiting or running. */
    public boolean hasUnfinished() {
        return !live.isEmpty();
    }

    /** Sequences preempted, cumulative. */
    public long numPreemptions() {
        return numPreemptions;
    }

    /** Prompt tokens run through the model (prefix hits excluded, recomputes included), cumulative. */
    public long computedPromptTokens() {
        return computedPromptTokens;
    }

    /** Tokens generated, cumulative. */
    public long generatedTokens() {
        return generatedTokens;
    }

    /** The live sequence with this id, waiting or running. */
    public Optional<Sequence> get(String id) {
        return Optional.ofNullable(live.get(id));
    }
}
