package io.jserve.kernels.cpu;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.TestWeights;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.host.HostTensor;

/**
 * A quick (JMH-free) throughput check of the CPU matmul, not a test: sweeps enough distinct matrices that the
 * weights come from DRAM, as in decoding, and prints weight GB/s and GFLOP/s per batch size.
 *
 * <p>Usage: {@code MatmulThroughput [type=Q8_0] [rows=5632] [cols=2048] [threads=all] [batches=1,4,8,16]}.
 */
public final class MatmulThroughput {
    private MatmulThroughput() {
    }

    public static void main(String[] args) {
        GgmlType type = GgmlType.valueOf(arg(args, 0, "Q8_0"));
        int rows = Integer.parseInt(arg(args, 1, "5632"));
        int cols = Integer.parseInt(arg(args, 2, "2048"));
        int threads = Integer.parseInt(arg(args, 3, String.valueOf(Runtime.getRuntime().availableProcessors())));
        String[] batches = arg(args, 4, "1,4,8,16").split(",");
        long matrixBytes = rows * type.bytesFor(cols);
        int count = (int) Math.max(1, (512L << 20) / matrixBytes);
        try (CpuBackend cpu = new CpuBackend(threads)) {
            Weight[] ws = new Weight[count];
            for (int i = 0; i < count; i++) {
                WeightView v = TestWeights.random(type, rows, cols, i);
                ws[i] = cpu.load(v);
            }
            for (String b : batches) {
                int batch = Integer.parseInt(b);
                HostTensor x = (HostTensor) cpu.allocate(batch, cols);
                cpu.upload(TestWeights.gaussian(batch * cols, 1), x);
                HostTensor out = (HostTensor) cpu.allocate(batch, rows);
                double best = 0;
                for (int round = 0; round < 6; round++) {
                    long start = System.nanoTime();
                    for (Weight w : ws) {
                        cpu.matmul(w, x, out);
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    best = Math.max(best, count * matrixBytes / seconds / 1e9);
                }
                double gflops = best / matrixBytes * 2.0 * rows * cols * batch;
                System.out.printf("%s %dx%d threads=%d B=%d: %.1f GB/s of weights, %.1f GFLOP/s%n",
                        type, rows, cols, threads, batch, best, gflops);
            }
        }
    }

    private static String arg(String[] args, int i, String fallback) {
        return args.length > i ? args[i] : fallback;
    }
}
