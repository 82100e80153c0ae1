package io.jserve.engine.gguf;

import java.util.Objects;

/**
 * One tensor of a Llama model's layout, before it has data: its GGUF name and dims, and whether it is a
 * norm weight (a vector, stored F32 and initialised near 1) or a matrix (stored in the model's weight type).
 *
 * @param name GGUF tensor name
 * @param cols values per row ({@code ne0})
 * @param rows rows ({@code ne1}); 1 for a norm, which is written as a 1-D tensor
 * @param norm true for an RMSNorm weight
 */
public record LlamaTensorSpec(String name, long cols, long rows, boolean norm) {
    public LlamaTensorSpec {
        Objects.requireNonNull(name, "name");
        if (cols <= 0 || rows <= 0 || (norm && rows != 1)) {
            throw new IllegalArgumentException("tensor %s: bad shape [%d, %d] (norm=%s)".formatted(name, cols, rows, norm));
        }
    }

    static LlamaTensorSpec matrix(String name, long cols, long rows) {
        return new LlamaTensorSpec(name, cols, rows, false);
    }

    static LlamaTensorSpec norm(String name, long size) {
        return new LlamaTensorSpec(name, size, 1, true);
    }

    /** GGUF dims: {@code [cols]} for a norm, {@code [cols, rows]} for a matrix. */
    public long[] dims() {
        return norm ? new long[] {cols} : new long[] {cols, rows};
    }

    /** Number of values. */
    public long numValues() {
        return cols * rows;
    }
}
