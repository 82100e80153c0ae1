package io.jserve.bench.cpu;

import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The machine's streaming read bandwidth, measured from Java: {@code threads} platform threads each read an
 * equal share of a buffer much larger than the caches with 512-bit (or the widest) vector loads, and the total
 * bytes over the slowest thread's time give one sample. This is the floor of a memory-bound decode step
 * (every weight byte is read once per step), measured in the same process as the step it is compared with,
 * since this machine's bandwidth drifts from run to run.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    /** Median and best of the samples, in bytes per second. */
    public record Result(double medianBytesPerSecond, double bestBytesPerSecond, int samples, int threads) {
        public Result {
            if (samples < 1 || threads < 1) {
                throw new IllegalArgumentException("need at least one sample and one thread");
            }
        }

        @Override
        public String toString() {
            return "read bandwidth %.1f GB/s median, %.1f GB/s best (%d samples, %d threads)"
                    .formatted(medianBytesPerSecond / 1e9, bestBytesPerSecond / 1e9, samples, threads);
        }
    }

    private MemoryBandwidth() {
    }

    /** Reads a fresh {@code bytes}-byte buffer {@code samples} times with {@code threads} threads. */
    public static Result measure(long bytes, int threads, int samples) {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(bytes, 4096);
            buffer.fill((byte) 1); // touch every page so the first sample does not count page faults
            return measure(buffer, threads, samples);
        }
    }

    /** Reads {@code buffer} (e.g. a mapped model file, already resident) {@code samples} times. */
    public static Result measure(MemorySegment buffer, int threads, int samples) {
        long share = buffer.byteSize() / threads / L.vectorByteSize() * L.vectorByteSize();
        List<Double> rates = new ArrayList<>();
        long[] sink = new long[threads];
        for (int s = 0; s < samples + 1; s++) { // one more: the first compiles the loop
            long[] nanos = new long[threads];
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int index = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    long start = System.nanoTime();
                    sink[index] ^= read(buffer, index * share, share);
                    nanos[index] = System.nanoTime() - start;
                });
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (s > 0) {
                rates.add(share * threads / (Arrays.stream(nanos).max().orElseThrow() / 1e9));
            }
        }
        if (Arrays.stream(sink).sum() == 42) {
            System.out.print(""); // keeps the reads alive
        }
        rates.sort(Double::compare);
        return new Result(rates.get(rates.size() / 2), rates.getLast(), samples, threads);
    }

    /** XOR of every 8-byte word in {@code [from, from + length)}, four independent vector chains. */
    static long read(MemorySegment s, long from, long length) {
        int step = L.vectorByteSize();
        LongVector a0 = LongVector.zero(L), a1 = a0, a2 = a0, a3 = a0;
        long end = from + length;
        long o = from;
        for (; o + 4L * step <= end; o += 4L * step) {
            a0 = a0.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(L, s, o, ByteOrder.LITTLE_ENDIAN));
            a1 = a1.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(L, s, o + step, ByteOrder.LITTLE_ENDIAN));
            a2 = a2.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(L, s, o + 2L * step, ByteOrder.LITTLE_ENDIAN));
            a3 = a3.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(L, s, o + 3L * step, ByteOrder.LITTLE_ENDIAN));
        }
        for (; o + step <= end; o += step) {
            a0 = a0.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(L, s, o, ByteOrder.LITTLE_ENDIAN));
        }
        return a0.lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, a2.lanewise(VectorOperators.XOR, a3))
                .reduceLanes(VectorOperators.XOR);
    }

    /** Prints the bandwidth: {@code MemoryBandwidth [MiB=1024] [threads=all] [samples=7]}. */
    public static void main(String[] args) {
        long mib = args.length > 0 ? Long.parseLong(args[0]) : 1024;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        int samples = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        System.out.println(measure(mib << 20, threads, samples));
    }
}
