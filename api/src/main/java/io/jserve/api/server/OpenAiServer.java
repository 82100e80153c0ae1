package io.jserve.api.server;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http1.Http1Config;
import io.jserve.api.server.endpoints.Routes;
import io.jserve.api.server.http.ConnectionWatch;
import io.jserve.api.server.metrics.ServerMetrics;
import io.jserve.engine.Engine;
import io.jserve.engine.EngineConfig;
import io.jserve.tokenizer.ChatTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Objects;

/**
 * The OpenAI-compatible HTTP server: Helidon SE on virtual threads in front of one {@link Engine}. The listener
 * starts first ({@code /health} answers 503 while the model loads), then {@link #load} starts the engine.
 * {@link #close()} drains: new work gets 503, in-flight requests may finish within the grace period, then the
 * engine aborts the rest and the listener stops.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(OpenAiServer.class.getName());

    private final ServerConfig config;
    private final ServingState state = new ServingState();
    private final ServerMetrics metrics = new ServerMetrics(state::stats);
    private final WebServer web;
    private volatile boolean closed;

    private OpenAiServer(ServerConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        Http1Config http1 = Http1Config.builder()
                .addReceiveListener(ConnectionWatch.listener(config.idleTimeout())).build();
        this.web = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .shutdownGracePeriod(Duration.ofSeconds(1))
                // Stream sockets rather than NIO ones: only they have the idle monitor ConnectionWatch relies on.
                .useNio(false)
                .idleConnectionTimeout(config.idleTimeout().multipliedBy(4))
                .addProtocol(http1)
                .routing(routing -> Routes.register(routing, state, metrics, config))
                .build();
    }

    /** Starts listening (the model is not loaded yet: {@code /health} is 503). */
    public static OpenAiServer start(ServerConfig config) {
        OpenAiServer server = new OpenAiServer(config);
        server.web.start();
        LOG.log(System.Logger.Level.INFO, "listening on http://{0}:{1}", config.host(),
                Integer.toString(server.port()));
        return server;
    }

    /**
     * Loads the model and starts the engine (blocking), then serves it. On failure the server stays up with
     * {@code /health} at 503 and the error is rethrown.
     */
    public void load(EngineConfig engineConfig) {
        try {
            Engine engine = Engine.start(engineConfig);
            String name = config.servedModelName().orElse(engine.model().name());
            int kvCapacity = engine.stats().totalBlocks() * engineConfig.blockSize();
            state.ready(new ModelService(engine, name, chatTemplate(engine), kvCapacity));
            LOG.log(System.Logger.Level.INFO, "serving {0} as \"{1}\" (backend {2}, max model len {3})",
                    engine.model().path(), name, engine.model().backend(),
                    Integer.toString(Math.min(engine.model().maxModelLen(), kvCapacity)));
        } catch (RuntimeException e) {
            state.failed(String.valueOf(e.getMessage()));
            throw e;
        }
    }

    private ChatTemplate chatTemplate(Engine engine) {
        if (config.chatTemplate().isPresent()) {
            try {
                return ChatTemplate.of(Files.readString(config.chatTemplate().get()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the chat template " + config.chatTemplate().get(), e);
            }
        }
        return engine.model().chatTemplate().map(ChatTemplate::of).orElseGet(ChatTemplate::chatMl);
    }

    /** The bound port (the real one when configured as 0). */
    public int port() {
        return web.port();
    }

    public ServingState state() {
        return state;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    /** Drains with the configured grace period, then stops the engine and the listener. */
    @Override
    public void close() {
        shutdown(config.shutdownGracePeriod());
    }

    /**
     * Graceful shutdown: {@code /health} and new requests get 503 at once; requests in flight may finish for up
     * to {@code grace}; whatever is left is aborted (its streams end) and the listener stops.
     */
    public synchronized void shutdown(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        state.drain();
        long deadline = System.nanoTime() + grace.toNanos();
        while (state.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (state.inFlight() > 0) {
            LOG.log(System.Logger.Level.WARNING, "grace period over; aborting {0} requests",
                    Integer.toString(state.inFlight()));
        }
        state.model().ifPresent(model -> model.engine().close());
        web.stop();
    }
}
