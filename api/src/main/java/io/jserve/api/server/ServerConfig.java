package io.jserve.api.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP side of the server's configuration (the engine's side is {@link io.jserve.engine.EngineConfig}).
 *
 * @param host                  address to bind
 * @param port                  port to bind; 0 picks a free one
 * @param servedModelName       the name clients pass as {@code model}; empty takes the model file's base name
 * @param apiKeys               accepted bearer tokens; empty means no authentication
 * @param chatTemplate          a Jinja file overriding the model's chat template
 * @param maxRequestBytes       larger request bodies get 413 without being read
 * @param shutdownGracePeriod   how long in-flight requests may run on after SIGTERM
 * @param idleTimeout           connections silent for this long (idle or half-sent) are closed
 */
public record ServerConfig(String host, int port, Optional<String> servedModelName, List<String> apiKeys,
                           Optional<Path> chatTemplate, long maxRequestBytes, Duration shutdownGracePeriod,
                           Duration idleTimeout) {

    public static final long DEFAULT_MAX_REQUEST_BYTES = 4L << 20;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

    public ServerConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(servedModelName, "servedModelName");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
        apiKeys = List.copyOf(apiKeys);
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        }
        if (servedModelName.isPresent() && servedModelName.get().isBlank()) {
            throw new IllegalArgumentException("served-model-name must not be empty");
        }
        for (String key : apiKeys) {
            if (key.isBlank()) {
                throw new IllegalArgumentException("api-key must not be empty");
            }
        }
        if (maxRequestBytes < 1024) {
            throw new IllegalArgumentException("max-request-size must be at least 1024 bytes, got " + maxRequestBytes);
        }
        requirePositive(shutdownGracePeriod, "shutdown-grace-period", true);
        requirePositive(idleTimeout, "idle-timeout", false);
    }

    private static void requirePositive(Duration d, String name, boolean zeroAllowed) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || (!zeroAllowed && d.isZero())) {
            throw new IllegalArgumentException(name + " must be " + (zeroAllowed ? "zero or more" : "positive")
                    + ", got " + d.toSeconds() + " s");
        }
    }

    /** Loopback on port 0 with defaults: what tests use. */
    public static ServerConfig forTests() {
        return new ServerConfig("127.0.0.1", 0, Optional.empty(), List.of(), Optional.empty(),
                DEFAULT_MAX_REQUEST_BYTES, Duration.ofSeconds(5), DEFAULT_IDLE_TIMEOUT);
    }

    public ServerConfig withApiKeys(List<String> keys) {
        return new ServerConfig(host, port, servedModelName, keys, chatTemplate, maxRequestBytes, shutdownGracePeriod,
                idleTimeout);
    }

    public ServerConfig withMaxRequestBytes(long bytes) {
        return new ServerConfig(host, port, servedModelName, apiKeys, chatTemplate, bytes, shutdownGracePeriod,
                idleTimeout);
    }

    public ServerConfig withServedModelName(String name) {
        return new ServerConfig(host, port, Optional.of(name), apiKeys, chatTemplate, maxRequestBytes,
                shutdownGracePeriod, idleTimeout);
    }

    public ServerConfig withIdleTimeout(Duration timeout) {
        return new ServerConfig(host, port, servedModelName, apiKeys, chatTemplate, maxRequestBytes,
                shutdownGracePeriod, timeout);
    }
}
