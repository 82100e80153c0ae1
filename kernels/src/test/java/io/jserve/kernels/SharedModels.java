package io.jserve.kernels;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared test data folder (system property {@code jserve.sharedModels}, set by surefire). */
public final class SharedModels {
    private SharedModels() {
    }

    /** The path of {@code relative} inside the shared models folder; fails (never skips) when it is missing. */
    public static Path file(String relative) {
        String root = System.getProperty("jserve.sharedModels");
        if (root == null) {
            throw new IllegalStateException("system property jserve.sharedModels is not set");
        }
        Path p = Path.of(root, relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing shared test data file " + p);
        }
        return p;
    }
}
