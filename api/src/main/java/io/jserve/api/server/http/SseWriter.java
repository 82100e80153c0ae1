package io.jserve.api.server.http;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes Server-Sent Events the way OpenAI does: each event is exactly {@code "data: " + json + "\n\n"}, flushed
 * at once so every token reaches the client when it is generated; the stream ends with {@code data: [DONE]}.
 * A failed write means the client went away: it surfaces as {@link ClientGoneException} so the caller can abort
 * the request (Helidon notices a closed peer on the second write after the close).
 */
public final class SseWriter {
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SUFFIX = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;

    public SseWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
    }

    /** Writes one event carrying {@code json} (compact JSON, no newlines) and flushes it. */
    public void event(byte[] json) {
        byte[] frame = new byte[PREFIX.length + json.length + SUFFIX.length];
        System.arraycopy(PREFIX, 0, frame, 0, PREFIX.length);
        System.arraycopy(json, 0, frame, PREFIX.length, json.length);
        System.arraycopy(SUFFIX, 0, frame, PREFIX.length + json.length, SUFFIX.length);
        write(frame);
    }

    /** Writes the terminating {@code data: [DONE]} event. */
    public void done() {
        write(DONE);
    }

    private void write(byte[] frame) {
        try {
            out.write(frame);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // Helidon reports a closed peer as an unchecked ServerConnectionException, plain sockets as IOException.
            throw new ClientGoneException(e);
        }
    }

    /** The client closed the connection while events were being written. */
    public static final class ClientGoneException extends RuntimeException {
        public ClientGoneException(Throwable cause) {
            super("the client closed the connection", cause, false, false);
        }
    }
}
