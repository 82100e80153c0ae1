package io.jserve.api.server.openai;

import io.jserve.api.server.generation.ChoiceDelta;
import io.jserve.engine.StreamEvent;

import java.util.ArrayList;
import java.util.List;

/** Collects the deltas of one choice for a non-streamed response. */
public final class ChoiceAccumulator {
    private final StringBuilder text = new StringBuilder();
    private final List<StreamEvent.Token> tokens = new ArrayList<>();
    private final List<Integer> offsets = new ArrayList<>();
    private String finishReason;

    /** Adds one delta of this choice. */
    public void add(ChoiceDelta delta) {
        text.append(delta.text());
        for (StreamEvent.Token token : delta.tokens()) {
            tokens.add(token);
            offsets.add(delta.textOffset());
        }
        if (delta.isFinal()) {
            finishReason = delta.finishReason();
        }
    }

    public String text() {
        return text.toString();
    }

    public List<StreamEvent.Token> tokens() {
        return List.copyOf(tokens);
    }

    public List<Integer> offsets() {
        return List.copyOf(offsets);
    }

    /** {@code stop}, {@code length} or {@code abort}; null until the final delta. */
    public String finishReason() {
        return finishReason;
    }
}
