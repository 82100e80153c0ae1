package io.jserve.api.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <key>} against the configured keys. The comparison takes the same time
 * whichever byte differs, so keys cannot be guessed one byte at a time.
 */
public final class ApiKeys {
    private static final String BEARER = "bearer ";
    private final List<byte[]> keys;

    public ApiKeys(List<String> keys) {
        this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** Whether authentication is on at all. */
    public boolean enabled() {
        return !keys.isEmpty();
    }

    /** @throws ApiException 401 when keys are configured and the request has none of them */
    public void check(ServerRequest req) {
        if (!enabled()) {
            return;
        }
        String header = req.headers().first(HeaderNames.AUTHORIZATION).orElse("");
        if (header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw unauthorized("Missing API key: send 'Authorization: Bearer <key>'.");
        }
        byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        for (byte[] key : keys) {
            match |= MessageDigest.isEqual(key, given);
        }
        if (!match) {
            throw unauthorized("Incorrect API key provided.");
        }
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(401, "invalid_request_error", null, "invalid_api_key", message);
    }
}
