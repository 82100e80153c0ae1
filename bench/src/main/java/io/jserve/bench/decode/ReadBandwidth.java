package io.jserve.bench.decode;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Measures the machine's memory read bandwidth the way a decode step reads weights: every core streaming its own
 * slice of a buffer much larger than the caches, summing it with the Vector API. Prints the best and the median
 * of the passes in GB/s (1e9 bytes), the figure to give {@link DecodeBench} as its floor.
 * Usage: {@code ReadBandwidth [MIB=2048] [PASSES=10] [THREADS=all]}.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private ReadBandwidth() {
    }

    public static void main(String[] args) throws InterruptedException {
        long bytes = (args.length > 0 ? Long.parseLong(args[0]) : 2048) << 20;
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        MemorySegment buffer = Arena.ofAuto().allocate(bytes, 64);
        for (long i = 0; i < bytes; i += 4096) {
            buffer.set(ValueLayout.JAVA_FLOAT, i, i % 7); // touch every page
        }
        List<Double> rates = new ArrayList<>();
        float sink = 0;
        for (int p = 0; p < passes; p++) {
            float[] sums = new float[threads];
            long t0 = System.nanoTime();
            read(buffer, threads, sums);
            double seconds = (System.nanoTime() - t0) / 1e9;
            rates.add(bytes / seconds / 1e9);
            for (float s : sums) {
                sink += s;
            }
        }
        List<Double> sorted = rates.stream().sorted().toList();
        System.out.printf("read bandwidth: %d threads, %d MiB, %d passes: best %.1f GB/s, median %.1f GB/s (%s)%n",
                threads, bytes >> 20, passes, sorted.getLast(), sorted.get(sorted.size() / 2), sink == 1 ? "!" : "ok");
    }

    /** Each thread sums its contiguous slice; waits for all. */
    private static void read(MemorySegment buffer, int threads, float[] sums) throws InterruptedException {
        long chunk = buffer.byteSize() / threads / 64 * 64;
        CountDownLatch done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread.ofPlatform().start(() -> {
                long from = id * chunk;
                long to = id == threads - 1 ? buffer.byteSize() : from + chunk;
                FloatVector a = FloatVector.zero(F);
                FloatVector b = FloatVector.zero(F);
                long step = 2L * F.vectorByteSize();
                long o = from;
                for (; o + step <= to; o += step) {
                    a = a.add(FloatVector.fromMemorySegment(F, buffer, o, ByteOrder.nativeOrder()));
                    b = b.add(FloatVector.fromMemorySegment(F, buffer, o + F.vectorByteSize(), ByteOrder.nativeOrder()));
                }
                sums[id] = a.add(b).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                done.countDown();
            });
        }
        done.await();
    }
}
