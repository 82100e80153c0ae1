package io.jserve.api.server.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.jserve.api.server.ModelService;
import io.jserve.api.server.ServingState;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.Json;
import io.jserve.api.server.http.Responses;
import io.jserve.api.server.metrics.ServerMetrics;

/** {@code GET /health}, {@code GET /v1/models} and {@code GET /metrics}. */
final class InfoEndpoints {
    private final ServingState state;
    private final ServerMetrics metrics;

    InfoEndpoints(ServingState state, ServerMetrics metrics) {
        this.state = state;
        this.metrics = metrics;
    }

    /** 200 when ready; 503 (with the reason) while loading, after a failed load and while draining. */
    void health(ServerRequest req, ServerResponse res) {
        state.require();
        ObjectNode body = Json.object();
        body.put("status", "ok");
        Responses.json(res, 200, body);
    }

    /** The served model, in OpenAI's list shape (plus vLLM's {@code max_model_len}). */
    void models(ServerRequest req, ServerResponse res) {
        ModelService model = state.model().orElseThrow(
                () -> ApiException.unavailable("The model is still loading; retry shortly."));
        ObjectNode body = Json.object();
        body.put("object", "list");
        ObjectNode entry = body.putArray("data").addObject();
        entry.put("id", model.servedName());
        entry.put("object", "model");
        entry.put("created", model.createdSeconds());
        entry.put("owned_by", "jserve");
        entry.put("root", model.engine().model().name());
        entry.put("max_model_len", model.maxModelLen());
        Responses.json(res, 200, body);
    }

    /** Prometheus text exposition. */
    void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(metrics.scrape());
    }
}
