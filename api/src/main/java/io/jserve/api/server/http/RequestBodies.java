package io.jserve.api.server.http;

import io.helidon.webserver.http.ServerRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads request bodies with a size limit. A declared {@code Content-Length} over the limit is refused before a
 * byte is read; a chunked body is read only up to the limit. Either way the server never holds more than the
 * limit in memory for one request.
 */
public final class RequestBodies {
    private RequestBodies() {
    }

    /**
     * The whole body, at most {@code limit} bytes.
     *
     * @throws ApiException 413 when the body is larger, 400 when it is empty
     */
    public static byte[] read(ServerRequest req, long limit) {
        var declared = req.headers().contentLength();
        if (declared.isPresent() && declared.getAsLong() > limit) {
            throw tooLarge(limit);
        }
        if (!req.content().hasEntity()) {
            throw ApiException.invalid(null, "The request has no body; expected a JSON object.");
        }
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, declared.orElse(4096)));
            byte[] buffer = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
                if (total > limit) {
                    throw tooLarge(limit);
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof ApiException api) {
                throw api;
            }
            // The client stopped sending mid-body (closed, or silent past the read timeout).
            throw new ApiException(400, "invalid_request_error", null, "incomplete_body",
                    "The request body could not be read completely: " + e.getClass().getSimpleName());
        }
    }

    private static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", null, "request_too_large",
                "The request body is larger than the limit of " + limit + " bytes.");
    }
}
