package io.jserve.api.server.endpoints;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.ApiKeys;
import io.jserve.api.server.http.ConnectionWatch;
import io.jserve.api.server.http.Responses;
import io.jserve.api.server.metrics.ServerMetrics;

/**
 * Wraps every route: checks the API key where the route needs one, turns any exception into the OpenAI error
 * object (an {@link ApiException} into its status, anything else into a logged 500 that hides internals), and
 * counts the response by route and status.
 */
final class Guarded implements Handler {
    private static final System.Logger LOG = System.getLogger(Guarded.class.getName());

    private final String route;
    private final ApiKeys keys;
    private final ServerMetrics metrics;
    private final Handler inner;

    /**
     * @param route   the route's name in metrics
     * @param keys    the keys to check, or null for an open route
     * @param metrics where the response is counted
     * @param inner   the route's handler
     */
    Guarded(String route, ApiKeys keys, ServerMetrics metrics, Handler inner) {
        this.route = route;
        this.keys = keys;
        this.metrics = metrics;
        this.inner = inner;
    }

    @Override
    public void handle(ServerRequest req, ServerResponse res) {
        try {
            if (keys != null) {
                keys.check(req);
            }
            inner.handle(req, res);
        } catch (ApiException e) {
            answer(res, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer(res, ApiException.unavailable("The server is shutting down."));
        } catch (Exception | StackOverflowError e) {
            LOG.log(System.Logger.Level.ERROR, "unexpected error on " + route, e);
            answer(res, new ApiException(500, "server_error", null, null, "Internal server error."));
        } finally {
            metrics.recordHttpResponse(route, res.status().code());
        }
    }

    private static void answer(ServerResponse res, ApiException e) {
        if (res.isSent()) {
            return;
        }
        try {
            Responses.error(res, e);
            if (e.status() == 413) {
                ConnectionWatch.closeCurrentConnection();
            }
        } catch (RuntimeException writeFailed) {
            LOG.log(System.Logger.Level.DEBUG, "could not send the error (client gone?): " + writeFailed);
        }
    }
}
