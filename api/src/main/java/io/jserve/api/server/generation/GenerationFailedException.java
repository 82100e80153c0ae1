package io.jserve.api.server.generation;

/** The engine could not finish a request it had accepted ({@link io.jserve.engine.StreamEvent.Failed}). */
public final class GenerationFailedException extends RuntimeException {
    public GenerationFailedException(String message) {
        super(message, null, false, false);
    }
}
