package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import io.jserve.kernels.WeightView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * Uploads a weight once, at load time: the file's bytes are copied to the device as they are and, for the formats
 * that are {@link DeviceFormat#repacked() repacked}, a repack kernel writes the {@link DeviceFormat} layout from
 * them (then the raw copy is freed); F32 and the K-quants are used as the file has them.
 * Types with no device format but a host decoder are first widened to F16 on the host ({@link WeightWidener});
 * any other type fails, naming the tensor and its type.
 */
final class WeightUploader {
    /** Largest piece copied at once: a ByteBuffer view of a segment holds at most 2 GiB. */
    private static final long CHUNK = 1L << 30;

    private final CudaContext cuda;
    private final WeightWidener widener = new WeightWidener();

    WeightUploader(CudaContext cuda) {
        this.cuda = cuda;
    }

    /** The widener, whose summary the backend logs once per model. */
    WeightWidener widener() {
        return widener;
    }

    DeviceWeight upload(WeightView view) {
        if (WeightWidener.widens(view.type())) {
            try (Arena arena = Arena.ofConfined()) {
                DeviceWeight w = uploadStored(widener.widen(view, arena));  // waits for its copies
                return new DeviceWeight(w.name(), view.type(), w.rows(), w.cols(), w.format(), w.paddedCols(),
                        w.data(), w.scales());
            }
        }
        if (!DeviceFormat.stores(view.type())) {
            throw new UnsupportedOperationException("weight %s has type %s, which the cuda backend cannot load"
                    .formatted(view.name(), view.type()));
        }
        return uploadStored(view);
    }

    /**
     * Uploads weights with the same type and columns as one matrix, their rows one after another, and returns it
     * with its parts; null when they cannot share one (a type widened on the host, or a part before the last whose
     * rows are not whole 16-row tiles of the repacked layouts).
     */
    WeightGroup uploadGroup(List<WeightView> views) {
        if (!groupable(views)) {
            return null;
        }
        WeightView first = views.getFirst();
        long bytes = 0;
        long rows = 0;
        for (WeightView v : views) {
            bytes += v.data().byteSize();
            rows += v.rows();
        }
        DeviceWeight whole;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment joined = arena.allocate(bytes, 16);
            long at = 0;
            StringBuilder name = new StringBuilder();
            for (WeightView v : views) {
                MemorySegment.copy(v.data(), 0, joined, at, v.data().byteSize());
                at += v.data().byteSize();
                name.append(name.isEmpty() ? "" : "+").append(v.name());
            }
            whole = uploadStored(new WeightView(name.toString(), first.type(), rows, first.cols(), joined));
        }
        List<DeviceWeight> parts = new java.util.ArrayList<>();
        long row = 0;
        for (WeightView v : views) {
            DeviceFormat f = whole.format();
            int kp = whole.paddedCols();
            CUdeviceptr data = whole.data().withByteOffset(f.dataBytes(row, kp));
            CUdeviceptr scales = f.scaleBytes(1, kp) > 0 ? whole.scales().withByteOffset(f.scaleBytes(row, kp)) : data;
            parts.add(new DeviceWeight(v.name(), v.type(), v.rows(), v.cols(), f, kp, data, scales));
            row += v.rows();
        }
        return new WeightGroup(whole, parts);
    }

    /**
     * Whether weights can be stored as one matrix: two or three, of one type the device stores, with the same
     * columns, and (for the repacked layouts, read in 16-row tiles) every part but the last whole tiles of rows.
     */
    static boolean groupable(List<WeightView> views) {
        if (views.size() < 2 || views.size() > 3 || !DeviceFormat.stores(views.getFirst().type())) {
            return false;
        }
        WeightView first = views.getFirst();
        DeviceFormat format = DeviceFormat.of(first.type());
        for (int i = 0; i < views.size(); i++) {
            WeightView v = views.get(i);
            boolean partTile = format.repacked() && i < views.size() - 1 && v.rows() % DeviceFormat.ROW_TILE != 0;
            if (v.type() != first.type() || v.cols() != first.cols() || partTile) {
                return false;
            }
        }
        return true;
    }

    private DeviceWeight uploadStored(WeightView view) {
        DeviceFormat format = DeviceFormat.of(view.type());
        if (view.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("weight %s has too many rows: %d".formatted(view.name(), view.rows()));
        }
        int rows = (int) view.rows();
        int cols = Math.toIntExact(view.cols());
        if (format.kQuant() && cols % 256 != 0) {
            throw new UnsupportedOperationException("weight %s is %s with %d columns, not whole 256-value blocks"
                    .formatted(view.name(), view.type(), cols));
        }
        int kp = format.paddedCols(cols);
        long rowsPad = format.paddedRows(rows);
        CUdeviceptr data = cuda.allocate(format.dataBytes(rowsPad, kp));
        if (!format.repacked()) {
            copy(view.data(), data);
            cuda.synchronize();
            return new DeviceWeight(view.name(), view.type(), rows, cols, format, kp, data, data);
        }
        long scaleBytes = format.scaleBytes(rowsPad, kp);
        CUdeviceptr scales = scaleBytes > 0 ? cuda.allocate(scaleBytes) : data;
        CUdeviceptr raw = cuda.allocate(view.data().byteSize());
        copy(view.data(), raw);
        int pr = Math.toIntExact(rowsPad);
        switch (format) {
            case F16, BF16 -> cuda.launch("repack_u16", grid((long) pr * kp), 1, 256, raw, data, rows, cols, kp, pr);
            case Q8_0 -> cuda.launch("repack_q8_0", grid((long) pr * kp / 32), 1, 256, raw, data, scales, rows, cols,
                    kp, pr);
            case Q4_0 -> cuda.launch("repack_q4_0", grid((long) pr * kp / 32), 1, 256, raw, data, scales, rows, cols,
                    kp, pr);
            default -> throw new IllegalStateException("no repack kernel for " + format);
        }
        cuda.free(raw);  // waits for the repack
        return new DeviceWeight(view.name(), view.type(), rows, cols, format, kp, data, scales);
    }

    private static int grid(long items) {
        return (int) Math.min((items + 255) / 256, 65535);
    }

    /** Copies a segment to device memory in stream order; heap segments go through native memory first. */
    private void copy(MemorySegment src, CUdeviceptr dst) {
        try (Arena arena = Arena.ofConfined()) {
            for (long off = 0; off < src.byteSize(); off += CHUNK) {
                long len = Math.min(CHUNK, src.byteSize() - off);
                MemorySegment piece = src.asSlice(off, len);
                if (!piece.isNative()) {
                    piece = arena.allocate(len, 16).copyFrom(piece);
                }
                cuMemcpyHtoDAsync(dst.withByteOffset(off), Pointer.to(piece.asByteBuffer()), len, cuda.stream());
            }
            cuda.synchronize();  // the host bytes (and the arena) must outlive the copies
        }
    }
}
