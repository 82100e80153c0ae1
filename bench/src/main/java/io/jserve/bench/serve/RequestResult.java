package io.jserve.bench.serve;

import java.util.List;
import java.util.Objects;

/**
 * What one benchmark request measured, in nanoseconds from its own start.
 *
 * @param success      whether the stream ended with {@code [DONE]} and no error
 * @param promptTokens prompt tokens reported by the server's usage chunk
 * @param outputTokens completion tokens reported by the server's usage chunk
 * @param ttftNanos    time to the first chunk carrying text
 * @param itlNanos     gaps between consecutive text chunks (vLLM's ITL)
 * @param e2eNanos     time to the end of the stream
 * @param error        why it failed; empty on success
 */
public record RequestResult(boolean success, int promptTokens, int outputTokens, long ttftNanos, List<Long> itlNanos,
                            long e2eNanos, String error) {
    public RequestResult {
        itlNanos = List.copyOf(itlNanos);
        Objects.requireNonNull(error, "error");
    }

    /** A failed request. */
    public static RequestResult failed(String error) {
        return new RequestResult(false, 0, 0, 0, List.of(), 0, error);
    }

    /** Time per output token after the first: {@code (e2e - ttft) / (output - 1)}; NaN with one token or fewer. */
    public double tpotNanos() {
        return outputTokens > 1 ? (double) (e2eNanos - ttftNanos) / (outputTokens - 1) : Double.NaN;
    }
}
