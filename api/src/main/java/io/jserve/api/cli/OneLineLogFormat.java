package io.jserve.api.cli;

/**
 * Makes {@code java.util.logging} (the backend of {@link System.Logger}) print one line per record:
 * {@code 2026-11-22 17:40:01 INFO OpenAiServer: listening on ...}. Left alone when the user configured a format.
 */
final class OneLineLogFormat {
    private static final String PROPERTY = "java.util.logging.SimpleFormatter.format";

    private OneLineLogFormat() {
    }

    static void installIfUnset() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "%1$tF %1$tT %4$s %3$s: %5$s%6$s%n");
        }
    }
}
