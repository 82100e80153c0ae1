package io.jserve.kernels.cpu;

import io.jserve.kernels.host.HostTensor;
import io.jserve.kernels.host.HostWeight;

import java.lang.foreign.MemorySegment;

/**
 * A Q8_0 matmul with 8-bit activations: the calling thread quantizes the activation rows once
 * ({@link Q8Activations}), then each worker computes a contiguous range of weight rows for every token, with
 * the C kernel when it is loaded and the Java kernel otherwise (same bits). Each weight row is read from memory
 * once per step and reused, from L1, for all tokens.
 */
final class Q8Matmul {
    /** Below this many multiply-adds (some 10 us of work) the product runs on the calling thread alone. */
    private static final long PARALLEL_MIN_WORK = 1 << 18;

    private Q8Matmul() {
    }

    static void run(WorkerPool pool, Scratch[] scratch, Q8Activations acts, HostWeight w, HostTensor x,
                    HostTensor out, boolean useNative) {
        if (x.rows() == 0) {
            return;
        }
        int rows = (int) w.rows();
        boolean nativeKernel = useNative && NativeQ8Kernel.available() && w.data().isNative()
                && out.segment().isNative();
        acts.quantize(x, !nativeKernel);
        MemorySegment packed = nativeKernel && x.rows() >= NativeQ8Kernel.PACKED_MIN_TOKENS ? acts.packed() : null;
        long work = (long) rows * w.width() * x.rows();
        int parts = pool.parts(work, PARALLEL_MIN_WORK, rows);
        if (parts == 1) {
            range(w, acts, packed, out, 0, rows, scratch[0], nativeKernel);
            return;
        }
        pool.run(parts, (chunk, worker) -> {
            int r0 = (int) ((long) rows * chunk / parts);
            int r1 = (int) ((long) rows * (chunk + 1) / parts);
            range(w, acts, packed, out, r0, r1, scratch[worker], nativeKernel);
        });
    }

    private static void range(HostWeight w, Q8Activations acts, MemorySegment packed, HostTensor out, int r0, int r1,
                              Scratch scratch, boolean nativeKernel) {
        if (nativeKernel) {
            NativeQ8Kernel.rowRange(w.data(), w.view().rowBytes(), r0, r1, acts, packed, out.segment(), out.cols());
        } else {
            Q8_0Int8Kernel.rowRange(w.data(), w.view().rowBytes(), r0, r1, acts, out.segment(), out.cols(), scratch);
        }
    }
}
