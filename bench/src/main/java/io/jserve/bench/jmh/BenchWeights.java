package io.jserve.bench.jmh;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random weights for the kernel benchmarks: random quant bits with small finite fp16 scales in the fields where
 * ggml keeps them (random bytes there could be NaN or infinite), random normal values for the float types.
 * Throughput depends on the shape and type, not the values.
 */
final class BenchWeights {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private BenchWeights() {
    }

    /** A {@code rows x cols} weight of {@code type} in 64-byte aligned native memory. */
    static WeightView random(GgmlType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        long bytes = rows * type.bytesFor(cols);
        MemorySegment data = Arena.ofAuto().allocate(bytes, 64);
        long n = (long) rows * cols;
        switch (type) {
            case F32 -> {
                for (long i = 0; i < n; i++) {
                    data.set(FLOAT, 4 * i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < n; i++) {
                    data.set(HALF, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    data.set(HALF, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                }
            }
            default -> {
                byte[] raw = new byte[(int) bytes];
                rnd.nextBytes(raw);
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, 0, bytes);
                for (long b = 0; b < bytes; b += type.bytesPerBlock()) {
                    for (int h : halves(type)) {
                        data.set(HALF, b + h, Float.floatToFloat16((float) (rnd.nextDouble() * 0.02)));
                    }
                }
            }
        }
        return new WeightView(type + "-" + rows + "x" + cols, type, rows, cols, data);
    }

    /** Byte offsets of the fp16 fields in a block (ggml's block structs). */
    private static int[] halves(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException("no benchmark weights for " + type);
        };
    }

    /** {@code n} normal floats. */
    static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
