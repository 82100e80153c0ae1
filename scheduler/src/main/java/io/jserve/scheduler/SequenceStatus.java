package io.jserve.scheduler;

import java.util.Optional;

/** Where a sequence is in its life. The three finished states are final. */
public enum SequenceStatus {
    /** Queued, never scheduled yet. */
    WAITING,
    /** In the running batch: holds KV blocks and gets tokens every step it fits the budget. */
    RUNNING,
    /** Was running, lost its blocks to a newer sequence's need; queued again to be recomputed. */
    PREEMPTED,
    /** Ended on EOS or a stop token id. */
    FINISHED_STOPPED,
    /** Ended on {@code maxTokens} or the maximum model length. */
    FINISHED_LENGTH,
    /** Ended by an abort. */
    FINISHED_ABORTED;

    public boolean isFinished() {
        return ordinal() >= FINISHED_STOPPED.ordinal();
    }

    /** Whether the sequence sits in the waiting queue. */
    public boolean isWaiting() {
        return this == WAITING || this == PREEMPTED;
    }

    /** The API's finish reason for a finished status; empty otherwise. */
    public Optional<FinishReason> finishReason() {
        return switch (this) {
            case FINISHED_STOPPED -> Optional.of(FinishReason.STOP);
            case FINISHED_LENGTH -> Optional.of(FinishReason.LENGTH);
            case FINISHED_ABORTED -> Optional.of(FinishReason.ABORT);
            default -> Optional.empty();
        };
    }

    /** The finished status for a finish reason. */
    public static SequenceStatus finishedBy(FinishReason reason) {
        return switch (reason) {
            case STOP -> FINISHED_STOPPED;
            case LENGTH -> FINISHED_LENGTH;
            case ABORT -> FINISHED_ABORTED;
        };
    }
}
