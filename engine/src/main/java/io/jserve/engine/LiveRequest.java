package io.jserve.engine;

import io.jserve.engine.sampling.Sampler;
import io.jserve.engine.sampling.TokenHistory;
import io.jserve.scheduler.Sequence;

import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * The engine thread's record of one request in flight: its scheduler {@link Sequence}, the stream its reader
 * waits on, and its own random generator (seeded from the request, so the same seed gives the same tokens
 * whatever else is running).
 */
final class LiveRequest implements TokenHistory {
    private final Sequence sequence;
    private final TokenStream stream;
    private final RandomGenerator random;
    private Sampler.Choice lastChoice;
    private final long addedNanos = System.nanoTime();
    private long firstScheduledNanos;

    LiveRequest(Sequence sequence, TokenStream stream, long seed) {
        this.sequence = sequence;
        this.stream = stream;
        this.random = new SplittableRandom(seed);
    }

    Sequence sequence() {
        return sequence;
    }

    TokenStream stream() {
        return stream;
    }

    RandomGenerator random() {
        return random;
    }

    /** Notes the time of a step that includes this request; the first one ends its time in the queue. */
    void markScheduled(long nanos) {
        if (firstScheduledNanos == 0) {
            firstScheduledNanos = nanos;
        }
    }

    /** Time from admission to the first step, or 0 if it was never scheduled. */
    long queueTimeNanos() {
        return firstScheduledNanos == 0 ? 0 : firstScheduledNanos - addedNanos;
    }

    /** The choice sampled for this request in the current step (read when the scheduler's update is published). */
    Sampler.Choice lastChoice() {
        return lastChoice;
    }

    void setLastChoice(Sampler.Choice choice) {
        this.lastChoice = choice;
    }

    @Override
    public int promptLength() {
        return sequence.numPromptTokens();
    }

    @Override
    public int outputLength() {
        return sequence.numOutputTokens();
    }

    @Override
    public int token(int i) {
        return sequence.tokenAt(i);
    }
}
