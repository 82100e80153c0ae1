package io.jserve.cuda;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * Widens weights of the GGML types the device has no kernels for (Q4_1, Q5_0, Q5_1, Q2_K .. Q6_K, IQ4_NL) to F16
 * on the host, so that the F16 tensor-core kernels multiply them.
 *
 * <p>Each row is dequantized with the kernels module's exact {@link WeightFormat} (the float32 values llama.cpp
 * computes) and rounded to the nearest f16: the only numeric change is that one rounding, about 5e-4 relative per
 * value. The price is memory: 16 bits a value on the device instead of the file's 2.6 to 6.6, so a Q4_K_M model
 * takes about 3.5 times its file size. Widened tensors are recorded, and {@link #takeSummary} reports them once
 * per model.
 */
final class WeightWidener {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

    /** A widened tensor, for the summary. */
    private record Widened(String name, GgmlType type, long fileBytes, long f16Bytes) {
    }

    private final List<Widened> widened = new ArrayList<>();

    /** Whether {@code type} has no device format but a host decoder, so it is widened to F16. */
    static boolean widens(GgmlType type) {
        return !DeviceFormat.stores(type) && WeightFormat.isSupported(type);
    }

    /**
     * The F16 copy of {@code view}, in native memory of {@code arena} (row by row, so the only float array is one
     * row long).
     */
    WeightView widen(WeightView view, Arena arena) {
        WeightFormat format = WeightFormat.of(view.type());
        int cols = Math.toIntExact(view.cols());
        long rowBytes = view.rowBytes();
        MemorySegment out = arena.allocate(view.rows() * cols * 2L, 16);
        float[] row = new float[cols];
        for (long r = 0; r < view.rows(); r++) {
            format.dequantize(view.data(), r * rowBytes, row, 0, cols);
            long base = r * cols;
            for (int c = 0; c < cols; c++) {
                out.setAtIndex(HALF, base + c, Float.floatToFloat16(row[c]));
            }
        }
        widened.add(new Widened(view.name(), view.type(), view.data().byteSize(), out.byteSize()));
        return new WeightView(view.name(), GgmlType.F16, view.rows(), view.cols(), out);
    }

    /**
     * A one-line summary of the tensors widened since the last call (names, types, device bytes against file
     * bytes), or null when there were none; clears the record.
     */
    String takeSummary() {
        if (widened.isEmpty()) {
            return null;
        }
        long file = 0;
        long f16 = 0;
        StringBuilder names = new StringBuilder();
        for (Widened w : widened) {
            file += w.fileBytes();
            f16 += w.f16Bytes();
            if (names.length() < 2000) {
                names.append(names.isEmpty() ? "" : ", ").append(w.name()).append(" (").append(w.type()).append(')');
            }
        }
        String s = ("cuda: %d weight tensors widened to F16 (no device kernels for their types): %.1f MiB on the"
                + " device instead of %.1f MiB: %s").formatted(widened.size(), f16 / 1048576.0, file / 1048576.0,
                names);
        widened.clear();
        return s;
    }
}
