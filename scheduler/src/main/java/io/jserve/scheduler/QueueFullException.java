package io.jserve.scheduler;

/**
 * The waiting queue is at its bound ({@code maxWaiting}): the request is refused now and may be retried later.
 * The API layer answers it with 503/429 rather than 400.
 */
public final class QueueFullException extends RuntimeException {
    private final int maxWaiting;

    public QueueFullException(int maxWaiting) {
        super("the waiting queue is full (" + maxWaiting + " requests); retry later");
        this.maxWaiting = maxWaiting;
    }

    public int maxWaiting() {
        return maxWaiting;
    }
}
