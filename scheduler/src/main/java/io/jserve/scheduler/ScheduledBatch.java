package io.jserve.scheduler;

import java.util.List;
import java.util.Objects;

/**
 * What runs in one step: the scheduled sequences in order (the order of the step's flat token layout), and the
 * sequences preempted to make room (already back in the waiting queue, informational).
 *
 * @param entries     the scheduled sequences, running ones first, then newly admitted ones
 * @param preempted   sequences preempted by this step, newest first
 * @param totalTokens sum of the entries' token counts, at most {@code maxNumBatchedTokens}
 */
public record ScheduledBatch(List<ScheduledSequence> entries, List<Sequence> preempted, int totalTokens) {
    public ScheduledBatch {
        entries = List.copyOf(Objects.requireNonNull(entries, "entries"));
        preempted = List.copyOf(Objects.requireNonNull(preempted, "preempted"));
        int sum = entries.stream().mapToInt(ScheduledSequence::numTokens).sum();
        if (sum != totalTokens) {
            throw new IllegalArgumentException("totalTokens " + totalTokens + " but the entries hold " + sum);
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int numSequences() {
        return entries.size();
    }

    /** The entries whose last token's logits are sampled, in batch order: one sampled token each. */
    public List<ScheduledSequence> sampled() {
        return entries.stream().filter(ScheduledSequence::sample).toList();
    }

    /** Number of sampled entries: the length {@link Scheduler#update} expects. */
    public int numSampled() {
        return (int) entries.stream().filter(ScheduledSequence::sample).count();
    }
}
