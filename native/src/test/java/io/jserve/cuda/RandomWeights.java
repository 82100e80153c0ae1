package io.jserve.cuda;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

/**
 * Random weights in GGML's byte layout for each type the CUDA backend stores: Gaussian values for the float
 * types, random quants with small random f16 scales for Q8_0 and Q4_0 (every bit pattern is a valid block).
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
            case Q8_0, Q4_0 -> {
                byte[] raw = new byte[(int) bytes];
                rnd.nextBytes(raw);
                MemorySegment.copy(raw, 0, seg, ValueLayout.JAVA_BYTE, 0, raw.length);
                int blockBytes = type.bytesPerBlock();
                for (long b = 0; b < bytes / blockBytes; b++) {
                    float d = 0.002f + rnd.nextFloat() * 0.03f;
                    seg.set(SHORT, b * blockBytes, Float.floatToFloat16(d));
                }
            }
            default -> throw new IllegalArgumentException("no random generator for " + type);
        }
        return new WeightView(name, type, rows, cols, seg);
    }
}
