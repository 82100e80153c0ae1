package io.jserve.api.cli;

import io.jserve.engine.gguf.SyntheticModels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The model used when no {@code --model} is given: {@code ../shared/models/stories260K.gguf} beside the
 * repository where it exists; otherwise a small random model the project writes itself, with a warning that
 * its text is meaningless.
 */
public final class DefaultModel {
    private DefaultModel() {
    }

    /** The default model's path, writing the synthetic one first if needed. */
    public static Path resolve() {
        Path root = Path.of(System.getProperty("jserve.root", ".")).toAbsolutePath().normalize();
        Path stories = root.resolveSibling("shared").resolve("models").resolve("stories260K.gguf");
        if (Files.isRegularFile(stories)) {
            return stories;
        }
        Path synthetic = root.resolve("target").resolve("synthetic-llama.gguf");
        System.err.println("""
                warning: %s not found; using a small synthetic model with RANDOM weights (%s).
                Its text is meaningless. Point --model at any GGUF file, e.g. one downloaded from Hugging Face:
                  bin/generate --model ~/models/Llama-3.2-1B-Instruct-Q8_0.gguf --prompt "Hello\"""".formatted(stories, synthetic));
        try {
            if (!Files.isRegularFile(synthetic)) {
                Files.createDirectories(synthetic.getParent());
                SyntheticModels.writeTinyLlama(synthetic);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the synthetic model " + synthetic, e);
        }
        return synthetic;
    }
}
