package io.jserve.api.server;

import io.jserve.api.server.http.ApiException;
import io.jserve.engine.EngineStats;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the server is in its life: loading the model, ready, draining after SIGTERM, or failed to load. The HTTP
 * listener is up in every phase, so {@code /health} can say 503 while loading and while draining.
 */
public final class ServingState {
    /** The server's phases, in order. */
    public enum Phase { LOADING, READY, DRAINING, FAILED }

    private volatile Phase phase = Phase.LOADING;
    private volatile ModelService model;
    private volatile String failure = "";
    private final AtomicInteger inFlight = new AtomicInteger();

    public Phase phase() {
        return phase;
    }

    /** Moves to READY with the loaded model. */
    public void ready(ModelService loaded) {
        this.model = loaded;
        this.phase = Phase.READY;
    }

    /** Moves to FAILED; {@code reason} is shown by {@code /health}. */
    public void failed(String reason) {
        this.failure = reason;
        this.phase = Phase.FAILED;
    }

    /** Moves to DRAINING: new generation requests get 503, in-flight ones run on. */
    public void drain() {
        this.phase = Phase.DRAINING;
    }

    /**
     * The model, for a request that wants to start work.
     *
     * @throws ApiException 503 unless the server is READY
     */
    public ModelService require() {
        return switch (phase) {
            case READY -> model;
            case LOADING -> throw ApiException.unavailable("The model is still loading; retry shortly.");
            case DRAINING -> throw ApiException.unavailable("The server is shutting down.");
            case FAILED -> throw ApiException.unavailable("The model failed to load: " + failure);
        };
    }

    /** The model if it was loaded (also while draining). */
    public Optional<ModelService> model() {
        return Optional.ofNullable(model);
    }

    /** The engine's latest counters, empty until the model is loaded. */
    public Optional<EngineStats> stats() {
        return model().map(m -> m.engine().stats());
    }

    /** Counts a generation request in; pair with {@link #leave()}. */
    public void enter() {
        inFlight.incrementAndGet();
    }

    public void leave() {
        inFlight.decrementAndGet();
    }

    /** Generation requests being served now. */
    public int inFlight() {
        return inFlight.get();
    }

    /** The failure message when FAILED. */
    public String failure() {
        return failure;
    }
}
