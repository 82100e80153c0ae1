package io.jserve.engine;

import io.jserve.scheduler.FinishReason;

import java.util.List;
import java.util.Objects;

/** What the engine tells a request's reader: a token, then exactly one end (finished or failed). */
public sealed interface StreamEvent {

    /** An alternative token and its log-probability, for {@code logprobs}. */
    record TopLogprob(int tokenId, float logprob) {
    }

    /**
     * A generated token.
     *
     * @param tokenId     the token
     * @param logprob     its log-probability under the model's (temperature-free) distribution, or NaN when
     *                    the request asked for none
     * @param topLogprobs the most likely alternatives, most likely first (empty unless asked for)
     */
    record Token(int tokenId, float logprob, List<TopLogprob> topLogprobs) implements StreamEvent {
        public Token {
            topLogprobs = List.copyOf(topLogprobs);
        }
    }

    /**
     * The request ended normally or was aborted.
     *
     * @param reason           why it ended
     * @param promptTokens     prompt tokens
     * @param cachedTokens     prompt tokens served from the prefix cache
     * @param completionTokens tokens generated
     * @param queueTimeNanos   time the request waited in the engine before its first step (0 if it never ran)
     */
    record Finished(FinishReason reason, int promptTokens, int cachedTokens, int completionTokens,
                    long queueTimeNanos) implements StreamEvent {
        public Finished {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** The engine could not serve the request (for example it can never fit the KV pool). */
    record Failed(String message) implements StreamEvent {
        public Failed {
            Objects.requireNonNull(message, "message");
        }
    }

    /** True for {@link Finished} and {@link Failed}: nothing follows. */
    default boolean isTerminal() {
        return !(this instanceof Token);
    }
}
