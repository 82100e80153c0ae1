package io.jserve.api.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Builds the OpenAI error object {@code {"error": {"message", "type", "param", "code"}}}; all four keys always present. */
public final class ErrorBody {
    private ErrorBody() {
    }

    /** The error object for an {@link ApiException}. */
    public static ObjectNode of(ApiException e) {
        return of(e.getMessage(), e.type(), e.param(), e.code());
    }

    /** The error object from its parts; {@code param} and {@code code} may be null. */
    public static ObjectNode of(String message, String type, String param, String code) {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        return root;
    }
}
