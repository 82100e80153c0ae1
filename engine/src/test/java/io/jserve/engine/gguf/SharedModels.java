package io.jserve.engine.gguf;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Finds the shared test models through the {@code jserve.sharedModels} system property (set by surefire). */
final class SharedModels {
    private SharedModels() {
    }

    /** The file, failing (not skipping) the test when it is missing: CI has the folder. */
    static Path file(String relative) {
        String root = System.getProperty("jserve.sharedModels");
        assertTrue(root != null, "system property jserve.sharedModels is not set");
        Path p = Path.of(root).resolve(relative);
        assertTrue(Files.isRegularFile(p), "missing shared model file " + p);
        return p;
    }
}
