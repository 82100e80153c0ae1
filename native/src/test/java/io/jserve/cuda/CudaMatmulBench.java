package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuEventCreate;
import static jcuda.driver.JCudaDriver.cuEventDestroy;
import static jcuda.driver.JCudaDriver.cuEventElapsedTime;
import static jcuda.driver.JCudaDriver.cuEventRecord;
import static jcuda.driver.JCudaDriver.cuEventSynchronize;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;

import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUevent;
import jcuda.driver.CUevent_flags;

/**
 * Kernel benchmark for the device: the device-to-device copy bandwidth (the floor reference) and the matrix
 * product time of Llama-8B-shaped weights (q/o 4096 x 4096, k/v 1024 x 4096, gate/up 14336 x 4096, down
 * 4096 x 14336) at 1, 8, 64 and 256 tokens, for F16 and
 * Q8_0, timed with CUDA events (median of 7 runs of 10 products, queued behind a 5 ms spin kernel so that the
 * host's queuing time is not counted). Several copies of each weight rotate so the
 * 50 MB L2 cache does not serve repeated reads. Run with {@code .device/run-bench.sh}.
 */
public final class CudaMatmulBench {
    private static final int RUNS = 7;
    private static final int PER_RUN = 10;

    private CudaMatmulBench() {
    }

    public static void main(String[] args) {
        BackendAvailability a = new CudaBackendProvider().availability();
        if (!a.available()) {
            System.out.println("CUDA backend unavailable: " + a.detail());
            System.exit(2);
        }
        System.out.println("device: " + a.detail());
        try (CudaBackend gpu = (CudaBackend) new CudaBackendProvider().create()) {
            copyBandwidth(gpu.context());
            System.out.printf("%-6s %-13s %6s %10s %10s %10s%n", "type", "weight", "tokens", "us", "GB/s", "TFLOP/s");
            if (args.length > 0) {  // TYPE ROWSxCOLS pairs, e.g. F16 4096x4096 (for a profiler run)
                for (int i = 0; i + 1 < args.length; i += 2) {
                    String[] rc = args[i + 1].split("x");
                    matmul(gpu, GgmlType.valueOf(args[i]), Integer.parseInt(rc[0]), Integer.parseInt(rc[1]));
                }
                return;
            }
            for (GgmlType type : new GgmlType[] {GgmlType.F16, GgmlType.Q8_0}) {
                for (int[] shape : new int[][] {{4096, 4096}, {1024, 4096}, {14336, 4096}, {4096, 14336}}) {
                    matmul(gpu, type, shape[0], shape[1]);
                }
            }
        }
    }

    private static void copyBandwidth(CudaContext cuda) {
        long bytes = 1L << 30;
        CUdeviceptr src = cuda.allocate(bytes);
        CUdeviceptr dst = cuda.allocate(bytes);
        float ms = time(cuda, () -> cuMemcpyDtoDAsync(dst, src, bytes, cuda.stream()));
        System.out.printf("cuMemcpyDtoD 1 GiB: %.3f ms, %.0f GB/s read + written (%.0f GB/s one way)%n", ms,
                2.0 * bytes / ms / 1e6, bytes / ms / 1e6);
        cuda.free(src);
        cuda.free(dst);
    }

    private static void matmul(CudaBackend gpu, GgmlType type, int rows, int cols) {
        WeightView view = randomWeight(type, rows, cols);
        DeviceFormat f = DeviceFormat.of(type);
        long deviceBytes = f.dataBytes(f.paddedRows(rows), f.paddedCols(cols))
                + f.scaleBytes(f.paddedRows(rows), f.paddedCols(cols));
        int copies = (int) Math.max(2, Math.ceil(300e6 / deviceBytes));
        List<Weight> weights = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            weights.add(gpu.load(view));
        }
        for (int tokens : new int[] {1, 8, 64, 256}) {
            Tensor x = gpu.allocate(tokens, cols);
            Tensor out = gpu.allocate(tokens, rows);
            float[] xs = new float[tokens * cols];
            SplittableRandom rnd = new SplittableRandom(tokens);
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            gpu.upload(xs, x);
            int[] next = {0};
            float ms = time(gpu.context(), () -> gpu.matmul(weights.get(next[0]++ % copies), x, out));
            double s = ms / 1e3;
            System.out.printf("%-6s %-13s %6d %10.1f %10.0f %10.2f%n", type, rows + "x" + cols, tokens, ms * 1e3,
                    deviceBytes / s / 1e9, 2.0 * rows * cols * tokens / s / 1e12);
        }
    }

    /** Median milliseconds of one call of {@code op}, over {@link #RUNS} event-timed runs of {@link #PER_RUN}. */
    private static float time(CudaContext cuda, Runnable op) {
        CUevent start = new CUevent();
        CUevent stop = new CUevent();
        cuEventCreate(start, CUevent_flags.CU_EVENT_DEFAULT);
        cuEventCreate(stop, CUevent_flags.CU_EVENT_DEFAULT);
        for (int i = 0; i < 3; i++) {
            op.run();  // warm-up: first launches, lazy allocations
        }
        float[] runs = new float[RUNS];
        for (int r = 0; r < RUNS; r++) {
            cuda.spin(5000);  // the GPU waits until the host has queued the run: the events time the kernels only
            cuEventRecord(start, cuda.stream());
            for (int i = 0; i < PER_RUN; i++) {
                op.run();
            }
            cuEventRecord(stop, cuda.stream());
            cuEventSynchronize(stop);
            float[] ms = {0};
            cuEventElapsedTime(ms, start, stop);
            runs[r] = ms[0] / PER_RUN;
        }
        cuEventDestroy(start);
        cuEventDestroy(stop);
        Arrays.sort(runs);
        return runs[RUNS / 2];
    }

    /** Random weight bytes: finite f16 values in +-[2^-5, 2^0), or Q8_0 blocks with random quants. */
    private static WeightView randomWeight(GgmlType type, int rows, int cols) {
        long bytes = rows * type.bytesFor(cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 16);
        SplittableRandom rnd = new SplittableRandom(rows * 31L + type.ordinal());
        for (long i = 0; i < bytes; i += 8) {
            seg.set(ValueLayout.JAVA_LONG_UNALIGNED, i, rnd.nextLong());
        }
        if (type == GgmlType.F16) {
            for (long i = 0; i < bytes; i += 2) {  // exponent 10..14 keeps every value finite and moderate
                short h = seg.get(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                int exp = 10 + (Math.floorMod(h >> 10, 5));
                seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) ((h & 0x83FF) | (exp << 10)));
            }
        } else {
            for (long b = 0; b < bytes; b += type.bytesPerBlock()) {
                seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, b, Float.floatToFloat16(0.01f));
            }
        }
        return new WeightView("bench", type, rows, cols, seg);
    }
}
