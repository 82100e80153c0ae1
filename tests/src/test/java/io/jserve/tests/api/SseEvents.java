package io.jserve.tests.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict byte-by-byte reader of an OpenAI event stream: every event must be exactly {@code "data: " + payload +
 * "\n\n"} (no CR, no other field, no comment), the payload one line. Anything else fails the test that reads it.
 */
final class SseEvents {
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

    private final InputStream in;

    SseEvents(InputStream in) {
        this.in = in;
    }

    /** Every payload of a complete body. */
    static List<String> parse(byte[] body) throws IOException {
        SseEvents events = new SseEvents(new java.io.ByteArrayInputStream(body));
        List<String> payloads = new ArrayList<>();
        String payload;
        while ((payload = events.next()) != null) {
            payloads.add(payload);
        }
        return payloads;
    }

    /** The next event's payload, or null at a clean end of stream (between events). */
    String next() throws IOException {
        for (int i = 0; i < PREFIX.length; i++) {
            int b = in.read();
            if (b == -1 && i == 0) {
                return null;
            }
            if (b != PREFIX[i]) {
                throw new AssertionError("expected '" + (char) PREFIX[i] + "' of 'data: ' at byte " + i + ", got "
                        + (b == -1 ? "end of stream" : "0x" + Integer.toHexString(b)));
            }
        }
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b == -1 || b == '\r') {
                throw new AssertionError("event not terminated by \\n\\n: " + payload.toString(StandardCharsets.UTF_8));
            }
            payload.write(b);
        }
        if (in.read() != '\n') {
            throw new AssertionError("event not followed by an empty line: " + payload.toString(StandardCharsets.UTF_8));
        }
        return payload.toString(StandardCharsets.UTF_8);
    }
}
