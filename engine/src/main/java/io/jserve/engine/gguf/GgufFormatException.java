package io.jserve.engine.gguf;

/**
 * A GGUF file is malformed, truncated, of an unsupported version, or holds a metadata value of an
 * unexpected type. The message always names the file (or the key) and what is wrong, so that a bad model
 * path fails at load time with a sentence a user can act on rather than deep inside a kernel.
 */
public final class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
