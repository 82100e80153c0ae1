package io.jserve.bench.cpu;

import io.jserve.kernels.cpu.NativeReadProbe;
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
 * The machine's streaming read bandwidth: {@code threads} platform threads each read an equal share of a buffer
 * much larger than the caches, and the total bytes over the slowest thread's time give one sample. The reads go
 * through the C library's AVX-512 loop where it is loaded ({@link NativeReadProbe}; a Java vector loop reads
 * about a third slower here, which would understate the floor), else through a Java vector loop. This is the floor of a memory-bound decode step
 * (every weight byte is read once per step), measured in the same process as the step it is compared with,
 * since this machine's bandwidth drifts from run to run.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;

    /** Median and best of the samples, in bytes per second, and which reader took them. */
    public record Result(double medianBytesPerSecond, double bestBytesPerSecond, int samples, int threads,
                         String reader) {
        public Result {
            if (samples < 1 || threads < 1) {
                throw new IllegalArgumentException("need at least one sample and one thread");
            }
        }

        @Override
        public String toString() {
            return "read bandwidth %.1f GB/s median, %.1f GB/s best (%d samples, %d threads, %s)"
                    .formatted(medianBytesPerSecond / 1e9, bestBytesPerSecond / 1e9, samples, threads, reader);
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
        long share = buffer.byteSize() / threads / 4096 * 4096;
        boolean nativeReader = NativeReadProbe.available() && buffer.isNative() && buffer.address() % 64 == 0;
        List<Double> rates = new ArrayList<>();
        long[] sink = new long[threads];
        for (int s = 0; s < samples + 1; s++) { // one more: the first compiles the loop
            long[] nanos = new long[threads];
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int index = t;
                ts[t] = Thread.ofPlatform().start(() -> {
                    long start = System.nanoTime();
                    sink[index] ^= nativeReader ? NativeReadProbe.read(buffer.asSlice(index * share, share))
                            : read(buffer, index * share, share);
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
        return new Result(rates.get(rates.size() / 2), rates.getLast(), samples, threads,
                nativeReader ? "C AVX-512 loop" : "Java vector loop");
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
