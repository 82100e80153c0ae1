package io.jserve.kernels;

import java.util.Objects;

/**
 * Whether a backend can run on this machine, with the reason when it cannot (shown to users at start-up).
 *
 * @param available true when the backend can be created
 * @param detail    what was found (device name) or why it is unavailable
 */
public record BackendAvailability(boolean available, String detail) {
    public BackendAvailability {
        Objects.requireNonNull(detail, "detail");
    }

    public static BackendAvailability available(String detail) {
        return new BackendAvailability(true, detail);
    }

    public static BackendAvailability unavailable(String reason) {
        return new BackendAvailability(false, reason);
    }
}
