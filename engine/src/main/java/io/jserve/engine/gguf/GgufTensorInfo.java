package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF file's tensor table.
 *
 * @param name     the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param dims     GGUF dimensions, innermost first ({@code dims[0] = ne0} is the row length); 1 to 4 of them,
 *                 each at least 1. The array is copied on the way in and out, so the record stays immutable.
 * @param type     the element type
 * @param offset   byte offset of the data relative to the start of the file's data section
 * @param byteSize bytes the data takes: {@code type.bytesFor(product of dims)}
 */
public record GgufTensorInfo(String name, long[] dims, GgmlType type, long offset, long byteSize) {
    /** GGML_MAX_DIMS: no GGUF tensor has more dimensions. */
    public static final int MAX_DIMS = 4;

    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(dims, "dims");
        if (dims.length < 1 || dims.length > MAX_DIMS) {
            throw new IllegalArgumentException("tensor %s has %d dimensions, expected 1 to %d"
                    .formatted(name, dims.length, MAX_DIMS));
        }
        dims = dims.clone();
        for (long d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor %s has a non-positive dimension in %s"
                        .formatted(name, Arrays.toString(dims)));
            }
        }
        if (offset < 0) {
            throw new IllegalArgumentException("tensor %s has a negative offset %d".formatted(name, offset));
        }
        if (dims[0] % type.blockSize() != 0) { // ggml stores whole blocks per row, not per tensor
            throw new IllegalArgumentException("tensor %s: row length %d is not a multiple of the %s block size %d"
                    .formatted(name, dims[0], type, type.blockSize()));
        }
        long expected = type.bytesFor(numValues(name, dims));
        if (byteSize != expected) {
            throw new IllegalArgumentException("tensor %s of type %s and shape %s takes %d bytes, not %d"
                    .formatted(name, type, Arrays.toString(dims), expected, byteSize));
        }
    }

    /**
     * Builds the info of a tensor, computing its byte size.
     *
     * @throws IllegalArgumentException if the shape is invalid for the type (see the compact constructor)
     */
    public static GgufTensorInfo of(String name, long[] dims, GgmlType type, long offset) {
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(type, "type");
        if (dims.length < 1 || dims.length > MAX_DIMS) {
            throw new IllegalArgumentException("tensor %s has %d dimensions, expected 1 to %d"
                    .formatted(name, dims.length, MAX_DIMS));
        }
        long n = numValues(name, dims);
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor %s: row length %d is not a multiple of the %s block size %d"
                    .formatted(name, dims[0], type, type.blockSize()));
        }
        return new GgufTensorInfo(name, dims, type, offset, type.bytesFor(n));
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of values: the product of all dimensions. */
    public long numValues() {
        return numValues(name, dims);
    }

    /** Rows in the {@code WeightView} sense: the product of all dimensions above the first. */
    public long rows() {
        return numValues() / dims[0];
    }

    /** Values per row: {@code dims[0]}. */
    public long cols() {
        return dims[0];
    }

    private static long numValues(String name, long[] dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("tensor %s has a non-positive dimension in %s"
                        .formatted(name, Arrays.toString(dims)));
            }
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor %s: shape %s overflows a 64-bit element count"
                        .formatted(name, Arrays.toString(dims)), e);
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t && name.equals(t.name) && Arrays.equals(dims, t.dims)
                && type == t.type && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dims), type, offset, byteSize);
    }

    @Override
    public String toString() {
        return "GgufTensorInfo[%s %s %s offset=%d bytes=%d]"
                .formatted(name, type, Arrays.toString(dims), offset, byteSize);
    }
}
