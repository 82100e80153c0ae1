package io.jserve.engine;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the read-only test data in {@code ../shared/models} (set by Surefire as {@code jserve.sharedModels}). */
public final class SharedModels {
    private SharedModels() {
    }

    /** The models folder; fails (not skips) when it is missing, since CI always has it. */
    public static Path root() {
        String dir = System.getProperty("jserve.sharedModels", "../../shared/models");
        Path root = Path.of(dir).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("test data folder not found: " + root
                    + " (expected ../shared/models beside the repository)");
        }
        return root;
    }

    /** A file under the models folder. */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("test data file not found: " + p);
        }
        return p;
    }
}
