package io.jserve.api.server.generation;

import io.jserve.api.server.metrics.ServerMetrics;
import io.jserve.engine.StreamEvent;
import io.jserve.engine.TokenStream;

import java.util.List;

/**
 * One choice of a {@link Generation}: its engine stream, its decoder, its token count and latency clock. Touched
 * only by the handler thread. A stop string found by the decoder cancels the engine stream at once; the tokens the
 * engine still delivers before its end are dropped and not counted.
 */
final class ChoiceRun {
    final int index;
    final TokenStream stream;
    final ChoiceDecoder decoder;
    final boolean logprobs;
    final long arrivalNanos;
    long lastTokenNanos;
    int tokens;
    int tokensAtStop = -1;
    StreamEvent.Finished finished;

    ChoiceRun(int index, TokenStream stream, ChoiceDecoder decoder, boolean logprobs, long arrivalNanos) {
        this.index = index;
        this.stream = stream;
        this.decoder = decoder;
        this.logprobs = logprobs;
        this.arrivalNanos = arrivalNanos;
    }

    int completionTokens() {
        return tokensAtStop >= 0 ? tokensAtStop : finished.completionTokens();
    }

    /** Applies one engine event; null when it changes nothing the client sees. */
    ChoiceDelta apply(StreamEvent event, ServerMetrics metrics) {
        return switch (event) {
            case StreamEvent.Token token -> token(token, metrics);
            case StreamEvent.Finished end -> finish(end, metrics);
            case StreamEvent.Failed failed -> throw new GenerationFailedException(failed.message());
        };
    }

    private ChoiceDelta token(StreamEvent.Token token, ServerMetrics metrics) {
        if (decoder.stopped()) {
            return null;
        }
        long now = System.nanoTime();
        if (tokens++ == 0) {
            metrics.recordTimeToFirstToken(now - arrivalNanos);
        } else {
            metrics.recordInterTokenLatency(now - lastTokenNanos);
        }
        lastTokenNanos = now;
        int offset = decoder.emittedChars();
        String text = decoder.accept(token.tokenId());
        if (decoder.stopped()) {
            tokensAtStop = tokens;
            stream.cancel();
        }
        if (text.isEmpty() && !logprobs) {
            return null;
        }
        return new ChoiceDelta(index, text, logprobs ? List.of(token) : List.of(), offset, null);
    }

    private ChoiceDelta finish(StreamEvent.Finished end, ServerMetrics metrics) {
        finished = end;
        int offset = decoder.emittedChars();
        String tail = decoder.finish();
        if (decoder.stopped() && tokensAtStop < 0) {
            tokensAtStop = tokens;
        }
        String reason = decoder.stopped() ? "stop" : end.reason().apiName();
        metrics.recordFinished(reason, System.nanoTime() - arrivalNanos, end.queueTimeNanos());
        return new ChoiceDelta(index, tail, List.of(), offset, reason);
    }
}
