package io.jserve.kernels;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight tensor as stored in a model file: its GGML type, its logical shape and the bytes that hold it
 * (normally a slice of the memory-mapped file, never copied).
 *
 * <p>Shape convention: a matrix has {@code rows} output rows of {@code cols} input values each (GGUF's
 * {@code ne0 = cols}, {@code ne1 = rows}); a vector (a norm's weight, a bias) has {@code rows = 1}.
 * Rows are stored one after another, each {@code type.bytesFor(cols)} bytes long.
 *
 * @param name the tensor's name in the model file, for error messages
 * @param type the element type
 * @param rows number of rows (the product of all dimensions above the first)
 * @param cols values per row (GGUF's {@code ne0})
 * @param data exactly {@code rows * type.bytesFor(cols)} bytes
 */
public record WeightView(String name, GgmlType type, long rows, long cols, MemorySegment data) {
    public WeightView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(data, "data");
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("weight %s has an empty shape [%d, %d]".formatted(name, rows, cols));
        }
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("weight %s: row length %d is not a multiple of the %s block size %d"
                    .formatted(name, cols, type, type.blockSize()));
        }
        long expected = Math.multiplyExact(rows, type.bytesFor(cols));
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("weight %s of type %s and shape [%d, %d] needs %d bytes, got %d"
                    .formatted(name, type, rows, cols, expected, data.byteSize()));
        }
    }

    /** Bytes in one row. */
    public long rowBytes() {
        return type.bytesFor(cols);
    }

    /** Total number of values. */
    public long numValues() {
        return rows * cols;
    }
}
