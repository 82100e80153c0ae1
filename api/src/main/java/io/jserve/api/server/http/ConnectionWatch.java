package io.jserve.api.server.http;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;

import java.lang.reflect.Field;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-connection socket handling that Helidon 4.5 does not expose: the read timeout and TCP_NODELAY of server
 * sockets, and
 * noticing that the client of a non-streamed request went away while its answer is being generated (so the request
 * can be aborted instead of running to the end for nobody).
 *
 * <p>How: Helidon serves each HTTP/1 connection on one virtual thread and calls the receive listener
 * ({@link #listener}) on that thread after reading a request line, so the handler finds its connection in a
 * thread-local. The listener sets the socket's read timeout (Helidon leaves server sockets without one, so a
 * half-sent request would hold its connection forever) and TCP_NODELAY (streamed tokens must not wait for
 * Nagle's algorithm). Once a body is read, {@link HelidonSocket#idle()} starts
 * Helidon's own idle monitor, a background read that marks the socket closed on end-of-stream and keeps any byte
 * it reads for the next request. The monitor also gives up, and marks the socket closed, when the read timeout
 * passes without data, so a closed mark after that time is not taken as a disconnect. Both need Helidon's stream
 * sockets ({@code useNio(false)}); the read timeout is set through the private socket field, the one reflective
 * access in the server, and is skipped with a warning if Helidon's internals change.
 */
public final class ConnectionWatch {
    private static final System.Logger LOG = System.getLogger(ConnectionWatch.class.getName());
    private static final ThreadLocal<ConnectionContext> CURRENT = new ThreadLocal<>();
    private static final Field PLAIN_SOCKET_DELEGATE = delegateField();

    private final HelidonSocket socket;
    private final long deadlineNanos;

    private ConnectionWatch(HelidonSocket socket, Duration readTimeout) {
        this.socket = socket;
        // Leave two monitor iterations (about 100 ms each) of margin before the monitor's own timeout.
        this.deadlineNanos = System.nanoTime() + Math.max(0, readTimeout.toNanos() - 200_000_000L);
    }

    private static Field delegateField() {
        try {
            Field field = PlainSocket.class.getDeclaredField("delegate");
            field.setAccessible(true);
            return field;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot reach Helidon's socket; no read timeout on connections: " + e);
            return null;
        }
    }

    /**
     * The listener that records each request's connection and applies the read timeout; add it to the HTTP/1
     * protocol's receive listeners.
     */
    public static Http1ConnectionListener listener(Duration readTimeout) {
        int millis = (int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis());
        return new Http1ConnectionListener() {
            @Override
            public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                CURRENT.set(ctx);
                javaSocket(ctx).ifPresent(socket -> {
                    try {
                        if (socket.getSoTimeout() != millis) {
                            socket.setSoTimeout(millis);
                            // Each SSE event is a small write that must leave at once: no Nagle delay.
                            socket.setTcpNoDelay(true);
                        }
                    } catch (SocketException e) {
                        LOG.log(System.Logger.Level.DEBUG, "cannot set the read timeout: " + e);
                    }
                });
            }
        };
    }

    private static Optional<Socket> javaSocket(ConnectionContext ctx) {
        try {
            if (PLAIN_SOCKET_DELEGATE != null && ctx.serverSocket() instanceof PlainSocket plain) {
                return Optional.of((Socket) PLAIN_SOCKET_DELEGATE.get(plain));
            }
        } catch (IllegalAccessException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, "no socket for this connection: " + e);
        }
        return Optional.empty();
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
            if (!(socket instanceof PlainSocket)) {
                return Optional.empty();
            }
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
                LOG.log(System.Logger.Level.DEBUG, "cannot close this connection: " + e);
            }
        }
    }

    /** Whether the client has closed its side of the connection. */
    public boolean clientGone() {
        return !socket.isConnected() && System.nanoTime() < deadlineNanos;
    }
}
