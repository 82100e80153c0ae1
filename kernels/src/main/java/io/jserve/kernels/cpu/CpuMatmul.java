package io.jserve.kernels.cpu;

import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.host.HostWeight;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code out[t, r] = sum_c w[r, c] * x[t, c]} on the CPU, for every type but Q8_0 with 8-bit activations
 * ({@link Q8Matmul}). The weight's rows are cut into contiguous chunks that the workers claim. Each chunk goes
 * through the tokens in blocks small enough to stay in L2 and, for each of its weight rows, decodes the row once into float32 and reuses it across the whole token block, two token rows
 * per pass ({@link DotKernel#dot2}), then one at a time ({@link DotKernel#dot1}). With one token
 * (decode), types with a fused kernel ({@link RowDecoder#dot}) skip the decoded row and read the weights once.
 *
 * <p>Which worker, block or pass computes an output changes nothing: every output is one {@link DotKernel} dot
 * (or its bit-identical fused form) of the same decoded row with the same activation row, so results are
 * bit-identical for any batch and any split.
 */
final class CpuMatmul {
    /** Floats of activations per token block: 256 KiB, a quarter of this machine's L2. */
    private static final int BLOCK_FLOATS = 64 * 1024;
    /** Below this many multiply-adds (some 10 us of work) a matmul runs on the calling thread alone. */
    private static final long PARALLEL_MIN_WORK = 1 << 18;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;

    private CpuMatmul() {
    }

    static void run(WorkerPool pool, Scratch[] scratch, HostWeight w, RowDecoder decoder, HostTensor x,
                    HostTensor out) {
        int rows = (int) w.rows();
        if (x.rows() == 0) {
            return;
        }
        long work = (long) rows * w.width() * x.rows();
        int parts = pool.parts(work, PARALLEL_MIN_WORK, rows);
        if (parts == 1) {
            rowRange(w, decoder, x, out, 0, rows, scratch[0]);
            return;
        }
        pool.run(parts, (chunk, worker) -> {
            long first = (long) rows * chunk / parts;
            long end = (long) rows * (chunk + 1) / parts;
            rowRange(w, decoder, x, out, (int) first, (int) end, scratch[worker]);
        });
    }

    /** Computes output columns {@code [r0, r1)} for every token. */
    static void rowRange(HostWeight w, RowDecoder decoder, HostTensor x, HostTensor out, int r0, int r1,
                         Scratch scratch) {
        int cols = w.width();
        int tokens = x.rows();
        int block = Math.max(2, BLOCK_FLOATS / cols / 2 * 2);
        float[] row = scratch.row(cols);
        MemorySegment xs = x.segment();
        MemorySegment os = out.segment();
        MemorySegment ws = w.data();
        long xStride = (long) cols * Float.BYTES;
        long oStride = (long) out.cols() * Float.BYTES;
        if (tokens < 2 && decoder.hasDot()) {
            // one token: nothing to share a decoded row with, so decode inside the dot
            for (int r = r0; r < r1; r++) {
                float y = decoder.dot(ws, w.rowOffset(r), xs, 0, cols, scratch.lanes);
                os.set(FLOAT, (long) r * Float.BYTES, y);
            }
            return;
        }
        for (int t0 = 0; t0 < tokens; t0 += block) {
            int t1 = Math.min(tokens, t0 + block);
            for (int r = r0; r < r1; r++) {
                decoder.decode(ws, w.rowOffset(r), cols, row, scratch);
                long oo = (long) r * Float.BYTES;
                int t = t0;
                for (; t + 2 <= t1; t += 2) {
                    DotKernel.dot2(row, xs, t * xStride, xStride, cols, os, oo + t * oStride, oStride, scratch.lanes);
                }
                for (; t < t1; t++) {
                    os.set(FLOAT, oo + t * oStride,
                            DotKernel.dot1(row, xs, t * xStride, cols, scratch.lanes));
                }
            }
        }
    }
}
