package io.jserve.api.server.endpoints;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import io.jserve.api.server.generation.ChoiceDelta;
import io.jserve.api.server.generation.Generation;
import io.jserve.api.server.generation.GenerationFailedException;
import io.jserve.api.server.http.ApiException;
import io.jserve.api.server.http.ConnectionWatch;
import io.jserve.api.server.http.ErrorBody;
import io.jserve.api.server.http.Json;
import io.jserve.api.server.http.Responses;
import io.jserve.api.server.http.SseWriter;
import io.jserve.api.server.openai.ChoiceAccumulator;
import io.jserve.api.server.openai.ResponseFormat;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Sends a running {@link Generation} to the client, streamed (SSE, one event per visible step, flushed at once)
 * or whole. Both modes read the same deltas, so they give the same text. The generation is closed (its unfinished
 * choices cancelled) on every way out: done, engine failure, client gone.
 */
final class GenerationResponder {
    private static final System.Logger LOG = System.getLogger(GenerationResponder.class.getName());
    /** How often a non-streamed request checks that its client is still there. */
    private static final long WATCH_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private GenerationResponder() {
    }

    /** Streams the generation as Server-Sent Events, ending with {@code data: [DONE]}. */
    static void stream(ServerResponse res, Generation generation, ResponseFormat format, int choiceCount,
                       boolean includeUsage) throws InterruptedException {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.header("X-Accel-Buffering", "no");
        try (generation; OutputStream out = res.outputStream()) {
            SseWriter sse = new SseWriter(out);
            for (ObjectNode chunk : format.openingChunks(choiceCount)) {
                sse.event(Json.bytes(chunk));
            }
            try {
                while (generation.hasNext()) {
                    for (ObjectNode chunk : format.chunks(generation.next())) {
                        sse.event(Json.bytes(chunk));
                    }
                }
            } catch (GenerationFailedException e) {
                LOG.log(System.Logger.Level.WARNING, "generation failed mid-stream: " + e.getMessage());
                sse.event(Json.bytes(ErrorBody.of(e.getMessage(), "server_error", null, "generation_failed")));
                return;
            }
            if (includeUsage) {
                sse.event(Json.bytes(format.usageChunk(generation.usage())));
            }
            sse.done();
        } catch (SseWriter.ClientGoneException e) {
            LOG.log(System.Logger.Level.DEBUG, "client went away mid-stream; request aborted");
        } catch (IOException | RuntimeException e) {
            // Closing the stream after the client left fails too; the generation is cancelled by then.
            LOG.log(System.Logger.Level.DEBUG, "stream ended early: " + e);
        }
    }

    /** Waits for every choice and answers with one JSON object. */
    static void whole(ServerResponse res, Generation generation, ResponseFormat format, int choiceCount,
                      Duration readTimeout) throws InterruptedException {
        Optional<ConnectionWatch> watch = ConnectionWatch.start(readTimeout);
        try (generation) {
            List<ChoiceAccumulator> choices = new ArrayList<>(choiceCount);
            for (int i = 0; i < choiceCount; i++) {
                choices.add(new ChoiceAccumulator());
            }
            while (generation.hasNext()) {
                ChoiceDelta delta = generation.poll(WATCH_PERIOD_NANOS);
                if (delta != null) {
                    choices.get(delta.index()).add(delta);
                }
                // checked after every token too: a fast engine never leaves the poll empty for a whole period
                if (watch.isPresent() && watch.get().clientGone()) {
                    LOG.log(System.Logger.Level.DEBUG, "client went away before its answer; request aborted");
                    clientClosed(res);
                    return;
                }
            }
            Responses.json(res, 200, format.whole(choices, generation.usage()));
        } catch (GenerationFailedException e) {
            throw new ApiException(500, "server_error", null, "generation_failed",
                    "The engine could not complete the request: " + e.getMessage());
        }
    }

    /** Records nginx's 499 "client closed request"; the write itself is expected to fail. */
    private static void clientClosed(ServerResponse res) {
        try {
            res.status(Status.create(499, "Client Closed Request"));
            res.header(HeaderNames.CONNECTION, "close");
            res.send();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.TRACE, "no answer to a client that left: " + e);
        }
    }
}
