package io.jserve.api.server.http;

import java.util.Objects;

/**
 * A request the server refuses, carrying everything of the OpenAI error object
 * ({@code {"error": {"message", "type", "param", "code"}}}) and the HTTP status. Thrown anywhere in a handler;
 * the routing's error handler turns it into the response, so no client input can ever surface as a 500.
 */
public final class ApiException extends RuntimeException {
    private final int status;
    private final String type;
    private final String param;
    private final String code;

    /**
     * @param status  HTTP status (4xx for the client's fault, 5xx only for the server's)
     * @param type    the error's {@code type}, e.g. {@code invalid_request_error}
     * @param param   the request field at fault, or null
     * @param code    a machine-readable code, or null
     * @param message what went wrong, for a person
     */
    public ApiException(int status, String type, String param, String code, String message) {
        super(Objects.requireNonNull(message, "message"), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an error status must be 4xx or 5xx, got " + status);
        }
        this.status = status;
        this.type = Objects.requireNonNull(type, "type");
        this.param = param;
        this.code = code;
    }

    /** 400 {@code invalid_request_error} naming the field at fault. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, null, message);
    }

    /** 400 with {@code code: context_length_exceeded}. */
    public static ApiException contextLengthExceeded(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "context_length_exceeded", message);
    }

    /** 404 for a model this server does not serve. */
    public static ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error", "model", "model_not_found",
                "The model `" + model + "` does not exist.");
    }

    /** 503 while the model loads or the server drains. */
    public static ApiException unavailable(String message) {
        return new ApiException(503, "service_unavailable", null, "service_unavailable", message);
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String param() {
        return param;
    }

    public String code() {
        return code;
    }
}
