package io.jserve.kernels.host;

import io.jserve.kernels.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float32 activation matrix in native memory, row-major: value {@code (r, c)} is the float at byte
 * {@code 4 * (r * cols + c)} of {@link #segment()}. Views ({@link #head}, {@link #reshape}) share the memory.
 * Used by both host backends (reference and CPU).
 */
public final class HostTensor implements Tensor {
    /** Native floats are read and written in the platform's order; nothing here is a file format. */
    static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private final MemorySegment data;
    private final int rows;
    private final int cols;

    private HostTensor(MemorySegment data, int rows, int cols) {
        if (rows < 0 || cols <= 0) {
            throw new IllegalArgumentException("bad tensor shape [%d, %d]".formatted(rows, cols));
        }
        if (data.byteSize() != (long) rows * cols * Float.BYTES) {
            throw new IllegalArgumentException("segment of %d bytes does not hold [%d, %d] floats"
                    .formatted(data.byteSize(), rows, cols));
        }
        this.data = data;
        this.rows = rows;
        this.cols = cols;
    }

    /** A new zero-filled tensor, 64-byte aligned, freed by the garbage collector. */
    public static HostTensor allocate(int rows, int cols) {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("bad tensor shape [%d, %d]".formatted(rows, cols));
        }
        long bytes = Math.multiplyExact(Math.multiplyExact((long) rows, cols), Float.BYTES);
        return new HostTensor(Arena.ofAuto().allocate(bytes, 64), rows, cols);
    }

    /** The host tensor behind {@code t}, or a clear failure when it was made by another backend. */
    public static HostTensor of(Tensor t) {
        if (t instanceof HostTensor h) {
            return h;
        }
        throw new IllegalArgumentException("tensor " + t + " was not made by a host backend");
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** The memory of all {@code rows * cols} floats. */
    public MemorySegment segment() {
        return data;
    }

    /** Byte offset of the first value of row {@code r}. */
    public long rowOffset(int r) {
        return (long) r * cols * Float.BYTES;
    }

    @Override
    public HostTensor head(int rows) {
        if (rows < 0 || rows > this.rows) {
            throw new IllegalArgumentException("head(%d) of a tensor with %d rows".formatted(rows, this.rows));
        }
        return new HostTensor(data.asSlice(0, (long) rows * cols * Float.BYTES), rows, cols);
    }

    @Override
    public HostTensor reshape(int rows, int cols) {
        if ((long) rows * cols != (long) this.rows * this.cols) {
            throw new IllegalArgumentException("cannot reshape [%d, %d] to [%d, %d]"
                    .formatted(this.rows, this.cols, rows, cols));
        }
        return new HostTensor(data, rows, cols);
    }

    /** Value {@code (r, c)}. */
    public float get(int r, int c) {
        return data.getAtIndex(FLOAT, (long) r * cols + c);
    }

    /** Sets value {@code (r, c)}. */
    public void set(int r, int c, float v) {
        data.setAtIndex(FLOAT, (long) r * cols + c, v);
    }

    /** Copies row {@code r} into {@code dst[dstOffset ..)}. */
    public void readRow(int r, float[] dst, int dstOffset) {
        MemorySegment.copy(data, FLOAT, rowOffset(r), dst, dstOffset, cols);
    }

    /** Copies {@code src[srcOffset .. srcOffset + cols)} into row {@code r}. */
    public void writeRow(int r, float[] src, int srcOffset) {
        MemorySegment.copy(src, srcOffset, data, FLOAT, rowOffset(r), cols);
    }

    /** All values, row-major, in a new array. */
    public float[] toArray() {
        return data.toArray(FLOAT);
    }

    /** Checks that {@code other} has this tensor's shape. */
    public void requireSameShape(HostTensor other, String what) {
        if (other.rows != rows || other.cols != cols) {
            throw new IllegalArgumentException("%s: shape [%d, %d] does not match [%d, %d]"
                    .formatted(what, other.rows, other.cols, rows, cols));
        }
    }

    @Override
    public String toString() {
        return "HostTensor[" + rows + ", " + cols + "]";
    }
}
