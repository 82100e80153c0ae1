package io.jserve.tokenizer;

import java.util.List;
import java.util.Objects;

/**
 * Finds stop strings in streamed text (one instance per request, not thread-safe). Text that could
 * be the start of a stop string is held back until the next text decides it, so a stop string
 * never leaks to the client even when it arrives split across tokens. Once a stop string is seen,
 * the text before it is released and everything after is dropped.
 */
public final class StopStringMatcher {
    private final List<String> stops;
    private final int longestStop;
    private String held = "";
    private String matched;

    /** What {@link #accept} releases, and whether the stream stopped. */
    public record Result(String text, boolean stopped) {
        public Result {
            Objects.requireNonNull(text, "text");
        }
    }

    public StopStringMatcher(List<String> stops) {
        this.stops = List.copyOf(stops);
        for (String s : this.stops) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("a stop string must not be empty");
            }
        }
        this.longestStop = this.stops.stream().mapToInt(String::length).max().orElse(0);
    }

    /** Adds text; returns the part that is now safe to show, up to a stop string when one completes. */
    public Result accept(String text) {
        if (matched != null) {
            return new Result("", true);
        }
        String buffer = held + text;
        int at = -1;
        for (String stop : stops) {
            int i = buffer.indexOf(stop);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                matched = stop;
            }
        }
        if (at >= 0) {
            held = "";
            return new Result(buffer.substring(0, at), true);
        }
        int keep = partialStopSuffix(buffer);
        held = buffer.substring(buffer.length() - keep);
        return new Result(buffer.substring(0, buffer.length() - keep), false);
    }

    /** Ends the stream without a stop: releases held-back text (empty after a stop). */
    public String flush() {
        String rest = matched == null ? held : "";
        held = "";
        return rest;
    }

    public boolean stopped() {
        return matched != null;
    }

    /** The stop string that ended the stream, or null. */
    public String matchedStop() {
        return matched;
    }

    /** The length of the longest suffix of {@code s} that a stop string starts with (shorter than it). */
    private int partialStopSuffix(String s) {
        for (int len = Math.min(longestStop - 1, s.length()); len > 0; len--) {
            String suffix = s.substring(s.length() - len);
            for (String stop : stops) {
                if (stop.length() > len && stop.startsWith(suffix)) {
                    return len;
                }
            }
        }
        return 0;
    }
}
