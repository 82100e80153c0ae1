package io.jserve.cuda;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Random weights in GGML's byte layout: Gaussian values for the float types; for the quantized types random
 * bytes (every bit pattern of quants and 6-bit sub-scales is a valid block) whose f16 super-scales (and minimums)
 * are overwritten with small random values, so the weights stay finite and of a realistic size.
 */
final class RandomWeights {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    private RandomWeights() {
    }

    static WeightView create(String name, GgmlType type, int rows, int cols, Random rnd) {
        long bytes = rows * type.bytesFor(cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 16);
        long values = (long) rows * cols;
        switch (type) {
            case F32 -> {
                for (long i = 0; i < values; i++) {
                    seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (rnd.nextGaussian() * 0.5));
                }
            }
            case F16 -> {
                for (long i = 0; i < values; i++) {
                    seg.setAtIndex(SHORT, i, Float.floatToFloat16((float) (rnd.nextGaussian() * 0.5)));
                }
            }
            case BF16 -> {
                for (long i = 0; i < values; i++) {
                    int bits = Float.floatToRawIntBits((float) (rnd.nextGaussian() * 0.5));
                    seg.setAtIndex(SHORT, i, (short) (bits >>> 16));
                }
            }
            default -> {
                int[] halves = scaleOffsets(type);
                byte[] raw = new byte[(int) bytes];
                rnd.nextBytes(raw);
                MemorySegment.copy(raw, 0, seg, ValueLayout.JAVA_BYTE, 0, raw.length);
                int blockBytes = type.bytesPerBlock();
                for (long b = 0; b < bytes / blockBytes; b++) {
                    for (int at : halves) {
                        float d = 0.002f + rnd.nextFloat() * 0.03f;
                        seg.set(SHORT, b * blockBytes + at, Float.floatToFloat16(d));
                    }
                }
            }
        }
        return new WeightView(name, type, rows, cols, seg);
    }

    /** Byte offsets of the f16 scale and minimum fields inside one block (ggml's block structs). */
    private static int[] scaleOffsets(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q5_0, IQ4_NL -> new int[] {0};
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException("no random generator for " + type);
        };
    }
}
