package io.jserve.api.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;

/** Writes whole (non-streamed) JSON responses. */
public final class Responses {
    private Responses() {
    }

    /** Sends {@code body} as {@code application/json} with the given status. */
    public static void json(ServerResponse res, int status, JsonNode body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Json.bytes(body));
    }

    /**
     * Sends the error object for {@code e}. A 429 or 503 tells the client when to retry; a 413 closes the
     * connection, since the unread body would otherwise be taken for the next request.
     */
    public static void error(ServerResponse res, ApiException e) {
        if (e.status() == 429 || e.status() == 503) {
            res.header(HeaderNames.RETRY_AFTER, "1");
        }
        if (e.status() == 413) {
            res.header(HeaderNames.CONNECTION, "close");
        }
        json(res, e.status(), ErrorBody.of(e));
    }
}
