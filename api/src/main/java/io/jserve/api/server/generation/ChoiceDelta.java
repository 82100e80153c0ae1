package io.jserve.api.server.generation;

import io.jserve.engine.StreamEvent;

import java.util.List;
import java.util.Objects;

/**
 * What one step of one choice adds to the response: text (maybe empty), the tokens it came from when logprobs
 * were asked for, and on the last delta of a choice its finish reason.
 *
 * @param index        the choice's index in the response
 * @param text         new text
 * @param tokens       tokens consumed in this step, for logprobs (empty unless asked for)
 * @param textOffset   characters of this choice's text before {@code text}
 * @param finishReason null until the choice ends; then {@code stop}, {@code length} or {@code abort}
 */
public record ChoiceDelta(int index, String text, List<StreamEvent.Token> tokens, int textOffset,
                          String finishReason) {
    public ChoiceDelta {
        Objects.requireNonNull(text, "text");
        tokens = List.copyOf(tokens);
    }

    /** Whether this is the choice's last delta. */
    public boolean isFinal() {
        return finishReason != null;
    }
}
