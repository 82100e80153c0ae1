package io.jserve.api.server.endpoints;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRouting;
import io.jserve.api.server.ServerConfig;
import io.jserve.api.server.ServingState;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.ApiKeys;
import io.jserve.api.server.http.Responses;
import io.jserve.api.server.metrics.ServerMetrics;

import java.util.Map;

/**
 * The server's routes. The OpenAI routes and the tokenizer extensions need the API key when one is set;
 * {@code /health} and {@code /metrics} stay open for load balancers and scrapers. A known path with the wrong
 * method is 405 (with {@code Allow}); anything else is 404, both in the OpenAI error shape.
 */
public final class Routes {
    /** Each path and the one method it answers. */
    static final Map<String, Method> ROUTES = Map.of(
            "/v1/chat/completions", Method.POST,
            "/v1/completions", Method.POST,
            "/v1/models", Method.GET,
            "/tokenize", Method.POST,
            "/detokenize", Method.POST,
            "/health", Method.GET,
            "/metrics", Method.GET);

    private Routes() {
    }

    /** Registers every route on {@code routing}. */
    public static void register(HttpRouting.Builder routing, ServingState state, ServerMetrics metrics,
                                ServerConfig config) {
        ApiKeys keys = new ApiKeys(config.apiKeys());
        GenerationEndpoints generation = new GenerationEndpoints(state, metrics, config);
        InfoEndpoints info = new InfoEndpoints(state, metrics);
        TokenizeEndpoints tokenize = new TokenizeEndpoints(state, config);
        routing.post("/v1/chat/completions", new Guarded("/v1/chat/completions", keys, metrics, generation::chat))
                .post("/v1/completions", new Guarded("/v1/completions", keys, metrics, generation::completion))
                .get("/v1/models", new Guarded("/v1/models", keys, metrics, info::models))
                .post("/tokenize", new Guarded("/tokenize", keys, metrics, tokenize::tokenize))
                .post("/detokenize", new Guarded("/detokenize", keys, metrics, tokenize::detokenize))
                .get("/health", new Guarded("/health", null, metrics, info::health))
                .get("/metrics", new Guarded("/metrics", null, metrics, info::metrics))
                .any(new Guarded("other", null, metrics, (req, res) -> {
                    Method allowed = ROUTES.get(req.path().path());
                    if (allowed == null) {
                        throw new ApiException(404, "invalid_request_error", null, "not_found",
                                "Unknown route " + req.prologue().method().text() + " " + req.path().path() + ".");
                    }
                    res.header(HeaderNames.ALLOW, allowed.text());
                    Responses.error(res, new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                            "Method " + req.prologue().method().text() + " is not allowed on " + req.path().path()
                                    + "; use " + allowed.text() + "."));
                }));
    }
}
