package io.jserve.engine;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What the API layer needs to know about the loaded model.
 *
 * @param name          the model's name (the file's base name without {@code .gguf})
 * @param path          the GGUF file
 * @param architecture  {@code general.architecture}
 * @param maxModelLen   longest sequence the engine accepts (prompt + output)
 * @param vocabSize     number of tokens
 * @param chatTemplate  the model's {@code tokenizer.chat_template}, if it has one
 * @param backend       name of the compute backend in use
 */
public record ModelInfo(String name, Path path, String architecture, int maxModelLen, int vocabSize,
                        Optional<String> chatTemplate, String backend) {
    public ModelInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(chatTemplate, "chatTemplate");
        Objects.requireNonNull(backend, "backend");
    }
}
