package io.jserve.kernels.host;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A weight of the host backends: the model file's bytes themselves (no copy) and the format that decodes them.
 *
 * @param view   the stored tensor
 * @param format the decoder of {@code view.type()}
 */
public record HostWeight(WeightView view, WeightFormat format) implements Weight {
    public HostWeight {
        Objects.requireNonNull(view, "view");
        Objects.requireNonNull(format, "format");
        if (format.type() != view.type()) {
            throw new IllegalArgumentException("format " + format.type() + " for a weight of type " + view.type());
        }
        if (view.cols() > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("weight %s: rows of %d values are too long".formatted(
                    view.name(), view.cols()));
        }
    }

    /** Wraps {@code view}; fails with the type's name when no format decodes it. */
    public static HostWeight wrap(WeightView view) {
        return new HostWeight(view, WeightFormat.of(view.type()));
    }

    /** The host weight behind {@code w}, or a clear failure when it was loaded by another backend. */
    public static HostWeight of(Weight w) {
        if (w instanceof HostWeight h) {
            return h;
        }
        throw new IllegalArgumentException("weight " + w.name() + " was not loaded by a host backend");
    }

    @Override
    public String name() {
        return view.name();
    }

    @Override
    public GgmlType type() {
        return view.type();
    }

    @Override
    public long rows() {
        return view.rows();
    }

    @Override
    public long cols() {
        return view.cols();
    }

    /** The stored bytes. */
    public MemorySegment data() {
        return view.data();
    }

    /** Values per row, as an int (checked at construction). */
    public int width() {
        return (int) view.cols();
    }

    /** Byte offset of row {@code r}. */
    public long rowOffset(long r) {
        return r * view.rowBytes();
    }

    /** Dequantizes row {@code r} into {@code dst[0 .. cols)}. */
    public void dequantizeRow(long r, float[] dst) {
        if (r < 0 || r >= view.rows()) {
            throw new IndexOutOfBoundsException("row %d of weight %s with %d rows".formatted(r, name(), rows()));
        }
        format.dequantize(view.data(), rowOffset(r), dst, 0, width());
    }
}
