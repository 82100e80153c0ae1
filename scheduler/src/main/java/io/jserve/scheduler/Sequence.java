package io.jserve.scheduler;

import io.jserve.kvcache.BlockTable;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * One request's state inside the scheduler: its tokens (prompt then output, append-only), the one counter
 * {@code numComputedTokens} (how many of them have keys and values in the KV cache), its status and its
 * {@link BlockTable} (block ids, and the chained hashes of its full blocks, kept across preemption).
 *
 * <p>Each step the scheduler runs {@code min(numTokens - numComputedTokens, budget)} of its tokens, whatever
 * the phase: prefill, chunk of a prefill, decode, recompute after preemption or the rest after a prefix hit.
 * Mutated only by the {@link Scheduler}, on the engine thread.
 */
public final class Sequence {
    private final String id;
    private final SamplingParams params;
    private final int numPromptTokens;
    private final BlockTable blockTable = new BlockTable();
    private int[] tokens;
    private int numTokens;
    private int numComputedTokens;
    private int numCachedTokens;
    private boolean everScheduled;
    private int numPreemptions;
    private SequenceStatus status = SequenceStatus.WAITING;

    /**
     * @param id           unique among live sequences
     * @param promptTokens the prompt, at least one token (copied)
     * @param params       sampling and stopping parameters
     */
    public Sequence(String id, int[] promptTokens, SamplingParams params) {
        this.id = Objects.requireNonNull(id, "id");
        this.params = Objects.requireNonNull(params, "params");
        Objects.requireNonNull(promptTokens, "promptTokens");
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("sequence " + id + ": the prompt must have at least one token");
        }
        this.numPromptTokens = promptTokens.length;
        this.tokens = Arrays.copyOf(promptTokens, promptTokens.length + Math.min(params.maxTokens(), 256));
        this.numTokens = promptTokens.length;
    }

    public String id() {
        return id;
    }

    public SamplingParams params() {
        return params;
    }

    public SequenceStatus status() {
        return status;
    }

    /** The finish reason once finished; empty before. */
    public Optional<FinishReason> finishReason() {
        return status.finishReason();
    }

    /** Prompt plus output tokens. */
    public int numTokens() {
        return numTokens;
    }

    public int numPromptTokens() {
        return numPromptTokens;
    }

    public int numOutputTokens() {
        return numTokens - numPromptTokens;
    }

    /** Tokens whose keys and values are in the KV cache. */
    public int numComputedTokens() {
        return numComputedTokens;
    }

    /** Prompt tokens served from the prefix cache when the sequence was first scheduled (for usage reports). */
    public int numCachedTokens() {
        return numCachedTokens;
    }

    /** Times the sequence lost its blocks and went back to the waiting queue. */
    public int numPreemptions() {
        return numPreemptions;
    }

    /** Token {@code index} of prompt + output. */
    public int tokenAt(int index) {
        Objects.checkIndex(index, numTokens);
        return tokens[index];
    }

    /** A copy of tokens {@code from .. to-1} of prompt + output. */
    public int[] tokens(int from, int to) {
        Objects.checkFromToIndex(from, to, numTokens);
        return Arrays.copyOfRange(tokens, from, to);
    }

    public int[] promptTokens() {
        return Arrays.copyOf(tokens, numPromptTokens);
    }

    public int[] outputTokens() {
        return Arrays.copyOfRange(tokens, numPromptTokens, numTokens);
    }

    public int lastToken() {
        return tokens[numTokens - 1];
    }

    /** Block ids and full-block hashes; read-only outside the kvcache module. */
    public BlockTable blockTable() {
        return blockTable;
    }

    /** The token buffer itself ({@code numTokens} valid entries), for the KV manager; never exposed. */
    int[] tokenBuffer() {
        return tokens;
    }

    void appendToken(int token) {
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[numTokens++] = token;
    }

    void setStatus(SequenceStatus newStatus) {
        if (status.isFinished()) {
            throw new IllegalStateException("sequence " + id + " already " + status);
        }
        status = newStatus;
    }

    void setNumComputedTokens(int n) {
        if (n < 0 || n > numTokens) {
            throw new IllegalArgumentException("sequence " + id + ": " + n + " computed of " + numTokens + " tokens");
        }
        numComputedTokens = n;
    }

    /** Called when the sequence first leaves the waiting queue: its prefix hit becomes its cached-token count. */
    void markScheduled(int prefixHitTokens) {
        if (!everScheduled) {
            everScheduled = true;
            numCachedTokens = prefixHitTokens;
        }
    }

    void countPreemption() {
        numPreemptions++;
    }

    @Override
    public String toString() {
        return "Sequence[" + id + ", " + status + ", tokens=" + numTokens + ", computed=" + numComputedTokens + "]";
    }
}
