package io.jserve.api.server.generation;

import java.util.List;

/**
 * Cuts generated text at the first stop string, even when the stop string arrives split over several tokens.
 * Text that could still become the start of a stop string is held back until the next piece shows whether it
 * does, so a stop string never reaches the client, not even in part.
 */
public final class StopStringFilter {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private boolean stopped;

    /** @param stops the stop strings, each non-empty */
    public StopStringFilter(List<String> stops) {
        for (String stop : stops) {
            if (stop.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
        this.stops = List.copyOf(stops);
    }

    /** Whether a stop string was found; nothing is emitted after that. */
    public boolean stopped() {
        return stopped;
    }

    /** Takes the next piece of text and returns what can safely be shown now. */
    public String accept(String text) {
        if (stopped) {
            return "";
        }
        if (stops.isEmpty()) {
            return text;
        }
        pending.append(text);
        int stopAt = firstStop();
        if (stopAt >= 0) {
            stopped = true;
            String out = pending.substring(0, stopAt);
            pending.setLength(0);
            return out;
        }
        int keep = longestStopPrefixSuffix();
        String out = pending.substring(0, pending.length() - keep);
        pending.delete(0, pending.length() - keep);
        return out;
    }

    /** At the end of generation: the held-back text, which turned out not to be a stop string. */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    private int firstStop() {
        int best = -1;
        for (String stop : stops) {
            int at = pending.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    /** Length of the longest end of {@code pending} that is a proper prefix of some stop string. */
    private int longestStopPrefixSuffix() {
        String text = pending.toString();
        int best = 0;
        for (String stop : stops) {
            int max = Math.min(stop.length() - 1, text.length());
            for (int len = max; len > best; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
