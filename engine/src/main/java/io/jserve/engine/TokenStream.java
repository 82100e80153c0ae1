package io.jserve.engine;

import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The channel from the engine thread to one request's reader. The engine {@link #offer}s events without ever
 * blocking; the reader takes them with a blocking {@link #next()}. {@link #cancel()} is idempotent and may be
 * called from any thread: it asks the engine to abort the request, which then ends the stream with a
 * {@link StreamEvent.Finished} of reason {@code ABORT}.
 */
public final class TokenStream {
    private final String requestId;
    private final LinkedBlockingQueue<StreamEvent> events = new LinkedBlockingQueue<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final Consumer<String> onCancel;

    /**
     * @param requestId the request this stream belongs to
     * @param onCancel  called once, with the request id, on the first {@link #cancel()}
     */
    public TokenStream(String requestId, Consumer<String> onCancel) {
        this.requestId = Objects.requireNonNull(requestId, "requestId");
        this.onCancel = Objects.requireNonNull(onCancel, "onCancel");
    }

    public String requestId() {
        return requestId;
    }

    /** Engine side: hands an event to the reader. Never blocks. */
    public void offer(StreamEvent event) {
        events.add(Objects.requireNonNull(event, "event"));
    }

    /** Reader side: the next event, waiting for it. */
    public StreamEvent next() throws InterruptedException {
        return events.take();
    }

    /** Reader side: the next event, or null if none came within the timeout. */
    public StreamEvent poll(long timeout, TimeUnit unit) throws InterruptedException {
        return events.poll(timeout, unit);
    }

    /** Asks the engine to abort the request. Safe to call any number of times, from any thread. */
    public void cancel() {
        if (cancelled.compareAndSet(false, true)) {
            onCancel.accept(requestId);
        }
    }

    /** Whether {@link #cancel()} was called. */
    public boolean isCancelled() {
        return cancelled.get();
    }
}
