package io.jserve.api.server.generation;

import io.jserve.api.server.metrics.ServerMetrics;
import io.jserve.api.server.openai.GenerationOptions;
import io.jserve.engine.EngineRequest;
import io.jserve.engine.StreamEvent;
import io.jserve.engine.TokenStream;
import io.jserve.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * All choices of one API request running in the engine ({@code prompts x n} of them). Each choice's
 * {@link TokenStream} is drained by its own virtual thread into one queue, so the handler reads the choices'
 * progress in the order the engine produced it with a single blocking {@link #next()}.
 * {@link #close()} cancels every unfinished choice: the handler calls it on any exit (finished, failed, client
 * gone), so an abandoned request frees its batch slot and KV blocks at the engine's next step.
 */
public final class Generation implements AutoCloseable {
    private record Tagged(int choice, StreamEvent event) {
    }

    private final List<ChoiceRun> choices = new ArrayList<>();
    private final LinkedBlockingQueue<Tagged> events = new LinkedBlockingQueue<>();
    private final int n;
    private final ServerMetrics metrics;
    private int unfinished;

    private Generation(int n, ServerMetrics metrics) {
        this.n = n;
        this.metrics = metrics;
    }

    /**
     * Submits every choice. If the engine refuses one (queue full), the ones already submitted are cancelled and
     * the refusal propagates.
     *
     * @param submit      the engine's submit
     * @param requestId   the API request's id; choice i runs as {@code requestId + "-" + i}
     * @param arrivalNanos {@link System#nanoTime()} when the request arrived, for latency metrics
     */
    public static Generation start(Function<EngineRequest, TokenStream> submit, String requestId,
                                   List<PreparedPrompt> prompts, GenerationOptions options, Tokenizer tokenizer,
                                   ServerMetrics metrics, long arrivalNanos) {
        Generation generation = new Generation(options.n(), metrics);
        try {
            for (int p = 0; p < prompts.size(); p++) {
                PreparedPrompt prompt = prompts.get(p);
                for (int i = 0; i < options.n(); i++) {
                    int index = p * options.n() + i;
                    TokenStream stream = submit.apply(new EngineRequest(requestId + "-" + index, prompt.tokenIds(),
                            options.samplingParams(prompt.maxTokens(), i)));
                    generation.add(new ChoiceRun(index, stream, new ChoiceDecoder(tokenizer, options.stop()),
                            options.wantsLogprobs(), arrivalNanos));
                }
            }
        } catch (RuntimeException e) {
            generation.close();
            throw e;
        }
        return generation;
    }

    private void add(ChoiceRun choice) {
        choices.add(choice);
        unfinished++;
        // The forwarder ends with the stream: the engine always delivers exactly one terminal event, also after a
        // cancel or when it shuts down.
        Thread.ofVirtual().name("choice-" + choice.stream.requestId()).start(() -> forward(choice));
    }

    private void forward(ChoiceRun choice) {
        try {
            StreamEvent event;
            do {
                event = choice.stream.next();
                events.add(new Tagged(choice.index, event));
            } while (!event.isTerminal());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether some choice has not delivered its final delta yet. */
    public boolean hasNext() {
        return unfinished > 0;
    }

    /**
     * The next delta of some choice, waiting for the engine. Steps that add nothing visible (held-back bytes,
     * tokens after a stop string) are skipped.
     *
     * @throws GenerationFailedException when the engine failed a choice
     * @throws IllegalStateException     when every choice has finished
     */
    public ChoiceDelta next() throws InterruptedException {
        return poll(Long.MAX_VALUE);
    }

    /** Like {@link #next()}, but gives up and returns null after {@code timeoutNanos}. */
    public ChoiceDelta poll(long timeoutNanos) throws InterruptedException {
        if (!hasNext()) {
            throw new IllegalStateException("every choice has finished");
        }
        long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + timeoutNanos;
        while (true) {
            Tagged tagged = deadline == Long.MAX_VALUE ? events.take()
                    : events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (tagged == null) {
                return null;
            }
            ChoiceDelta delta = choices.get(tagged.choice).apply(tagged.event, metrics);
            if (delta != null) {
                if (delta.isFinal()) {
                    unfinished--;
                }
                return delta;
            }
        }
    }

    /** Token counts once every choice has finished. */
    public Usage usage() {
        if (hasNext()) {
            throw new IllegalStateException("usage is known only when every choice has finished");
        }
        int prompt = 0;
        int cached = 0;
        int completion = 0;
        for (ChoiceRun choice : choices) {
            completion += choice.completionTokens();
            if (choice.index % n == 0) {
                prompt += choice.finished.promptTokens();
                cached += choice.finished.cachedTokens();
            }
        }
        return new Usage(prompt, completion, Math.min(cached, prompt));
    }

    /** Cancels every unfinished choice (idempotent). */
    @Override
    public void close() {
        for (ChoiceRun choice : choices) {
            if (choice.finished == null) {
                choice.stream.cancel();
            }
        }
    }
}
