package io.jserve.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Random;

/**
 * Random weights of any supported type, as valid GGML bytes: random quant bits, and every fp16 scale or minimum
 * field replaced by a small finite random half (random bytes there could be NaN or infinite).
 */
public final class TestWeights {
    /** Types the host backends support. */
    public static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K,
            GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_NL};

    /** Byte offsets of the fp16 fields in each block (ggml's block structs). */
    private static final Map<GgmlType, int[]> HALVES = Map.ofEntries(
            Map.entry(GgmlType.Q8_0, new int[] {0}),
            Map.entry(GgmlType.Q4_0, new int[] {0}),
            Map.entry(GgmlType.Q4_1, new int[] {0, 2}),
            Map.entry(GgmlType.Q5_0, new int[] {0}),
            Map.entry(GgmlType.Q5_1, new int[] {0, 2}),
            Map.entry(GgmlType.IQ4_NL, new int[] {0}),
            Map.entry(GgmlType.Q2_K, new int[] {80, 82}),
            Map.entry(GgmlType.Q3_K, new int[] {108}),
            Map.entry(GgmlType.Q4_K, new int[] {0, 2}),
            Map.entry(GgmlType.Q5_K, new int[] {0, 2}),
            Map.entry(GgmlType.Q6_K, new int[] {208}));

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TestWeights() {
    }

    /** A {@code rows x cols} weight of {@code type} with values of magnitude around {@code 0.05 .. 1}. */
    public static WeightView random(GgmlType type, int rows, int cols, long seed) {
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
                    data.set(SHORT, 2 * i, Float.floatToFloat16((float) rnd.nextGaussian()));
                }
            }
            case BF16 -> {
                for (long i = 0; i < n; i++) {
                    data.set(SHORT, 2 * i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                }
            }
            default -> {
                byte[] raw = new byte[(int) bytes];
                rnd.nextBytes(raw);
                MemorySegment.copy(MemorySegment.ofArray(raw), 0, data, 0, bytes);
                int[] halves = HALVES.get(type);
                for (long b = 0; b < bytes; b += type.bytesPerBlock()) {
                    for (int h : halves) {
                        float scale = (float) ((rnd.nextDouble() * 2 - 1) * 0.05);
                        data.set(SHORT, b + h, Float.floatToFloat16(scale));
                    }
                }
            }
        }
        return new WeightView(type + "-" + rows + "x" + cols, type, rows, cols, data);
    }

    /** {@code n} Gaussian floats from {@code seed}. */
    public static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) rnd.nextGaussian();
        }
        return out;
    }
}
