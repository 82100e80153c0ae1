package io.jserve.api.server.http;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

import java.time.Duration;
import java.util.Optional;

/**
 * Notices that the client of a non-streamed request went away while its answer is being generated, so the
 * request can be aborted instead of running to the end for nobody.
 *
 * <p>How: Helidon serves each HTTP/1 connection on one virtual thread and calls the receive listener
 * ({@link #listener()}) on that thread before routing, so the handler finds its connection in a thread-local.
 * Once the body is read, {@link HelidonSocket#idle()} starts Helidon's own idle monitor, a background read that
 * marks the socket closed on end-of-stream and keeps any byte it reads for the next request. The monitor gives up
 * (and also marks the socket closed) when the socket's read timeout passes without data, so a closed mark after
 * that time is not taken as a disconnect.
 */
public final class ConnectionWatch {
    private static final ThreadLocal<ConnectionContext> CURRENT = new ThreadLocal<>();

    private final HelidonSocket socket;
    private final long deadlineNanos;

    private ConnectionWatch(HelidonSocket socket, Duration readTimeout) {
        this.socket = socket;
        // Leave one monitor iteration (about 100 ms) of margin before the monitor's own timeout.
        this.deadlineNanos = System.nanoTime() + Math.max(0, readTimeout.toNanos() - 200_000_000L);
    }

    /** The listener that records each request's connection; add it to the HTTP/1 protocol's receive listeners. */
    public static Http1ConnectionListener listener() {
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                CURRENT.set(ctx);
            }
        };
    }

    /**
     * Starts watching the current request's connection; call it after the request body has been read.
     * Empty when the connection is unknown (not HTTP/1, or a socket type without a monitor).
     */
    public static Optional<ConnectionWatch> start(Duration readTimeout) {
        ConnectionContext ctx = CURRENT.get();
        if (ctx == null) {
            return Optional.empty();
        }
        try {
            HelidonSocket socket = ctx.serverSocket();
            socket.idle();
            return Optional.of(new ConnectionWatch(socket, readTimeout));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * Closes the current request's connection once its response is out. Used after a 413: the unread body would
     * otherwise be parsed as the next request (Helidon keeps the connection despite {@code Connection: close}).
     */
    public static void closeCurrentConnection() {
        ConnectionContext ctx = CURRENT.get();
        if (ctx != null) {
            try {
                ctx.serverSocket().close();
            } catch (UnsupportedOperationException e) {
                // Not an HTTP/1 socket: nothing to close here.
            }
        }
    }

    /** Whether the client has closed its side of the connection. */
    public boolean clientGone() {
        return !socket.isConnected() && System.nanoTime() < deadlineNanos;
    }
}
