package io.jserve.kernels.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q8_0 weights times 8-bit activations ({@link Q8Activations}) with integer dot products, in Java (the Vector
 * API where the machine has 512-bit vectors, a scalar loop otherwise). The fallback of, and bit-identical to,
 * the C kernel ({@code src/main/c/q8_0_avx512.c}):
 * <pre>
 *   isum[b]   = exact integer dot of block b's 32 weight and activation quants
 *   acc[b%16] = fma(float(isum[b]), dw[b] * dx[b], acc[b%16])     for b = 0, 1, 2, ... in order
 *   y         = acc[0] + acc[1] + ... + acc[15]                     left to right
 * </pre>
 * The integer sums are exact in any order, so only the float steps above fix the bits, and they depend on
 * nothing but the row and the token: the product is batch invariant.
 *
 * <p>The vector form takes 16 blocks at a time: each block's 32 products (int16, widened activations) are
 * added in adjacent pairs into 16 int lanes, and a tree of two-vector shuffles ({@link #fold}) turns the 16
 * blocks' vectors into one vector of their 16 sums, lane k for block k, so the 16 float accumulators are the
 * lanes of one vector: no per-block horizontal sum.
 */
final class Q8_0Int8Kernel {
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S32 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    private static final boolean VECTOR = FloatVector.SPECIES_PREFERRED.length() >= 16;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder LITTLE = ByteOrder.LITTLE_ENDIAN;
    /** Lane indexes 0, 2, 4, ... and 1, 3, 5, ... into the 32 lanes of two vectors. */
    private static final IntVector EVEN = IntVector.zero(I16).addIndex(2);
    private static final IntVector ODD = EVEN.add(1);

    private Q8_0Int8Kernel() {
    }

    /**
     * {@code out[t, r]} for rows {@code [r0, r1)} and every quantized token; {@code out} rows are {@code outCols}
     * floats apart. {@code scratch} supplies 16-float buffers.
     */
    static void rowRange(MemorySegment w, long rowBytes, int r0, int r1, Q8Activations a, MemorySegment out,
                         int outCols, Scratch scratch) {
        int nb = a.blocks();
        for (int r = r0; r < r1; r++) {
            for (int t = 0; t < a.tokens(); t++) {
                float y = VECTOR ? dot(w, r * rowBytes, a, t, nb, scratch.acc16, scratch.scale16, scratch.int16,
                        scratch.int64)
                        : scalarDot(w, r * rowBytes, a, t, nb, scratch.acc16);
                out.setAtIndex(FLOAT, (long) t * outCols + r, y);
            }
        }
    }

    /** One row with one token, 16 blocks at a time (the last, partial group's sums computed one by one). */
    static float dot(MemorySegment w, long row, Q8Activations a, int t, int nb, float[] acc, float[] scale,
                     int[] tail, int[] quads) {
        short[] x = a.widened();
        MemorySegment d = a.scales();
        long first = (long) t * nb;
        int xo = t * nb * 32;
        FloatVector sum = FloatVector.zero(F16);
        int g = 0;
        for (; g + 16 <= nb; g += 16) {
            long wg = row + 34L * g;
            int xg = xo + 32 * g;
            // four blocks at a time through two fold levels, parked in scratch (small methods stay inlined)
            for (int k = 0; k < 16; k += 4) {
                fold(fold(pairs(w, wg, x, xg, k), pairs(w, wg, x, xg, k + 1)),
                        fold(pairs(w, wg, x, xg, k + 2), pairs(w, wg, x, xg, k + 3))).intoArray(quads, 4 * k);
            }
            IntVector isum = fold(fold(IntVector.fromArray(I16, quads, 0), IntVector.fromArray(I16, quads, 16)),
                    fold(IntVector.fromArray(I16, quads, 32), IntVector.fromArray(I16, quads, 48)));
            for (int k = 0; k < 16; k++) {
                scale[k] = Float.float16ToFloat(w.get(HALF, wg + 34L * k)) * d.getAtIndex(FLOAT, first + g + k);
            }
            sum = ((FloatVector) isum.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F16, scale, 0), sum);
        }
        if (g < nb) {
            MemorySegment q = a.quants();
            for (int k = 0; k < 16; k++) {
                int b = g + k;
                if (b < nb) {
                    long wb = row + 34L * b;
                    int isum = 0;
                    for (int j = 0; j < 32; j++) {
                        isum += w.get(ValueLayout.JAVA_BYTE, wb + 2 + j) * q.get(ValueLayout.JAVA_BYTE, 32 * (first + b) + j);
                    }
                    tail[k] = isum;
                    scale[k] = Float.float16ToFloat(w.get(HALF, wb)) * d.getAtIndex(FLOAT, first + b);
                } else {
                    tail[k] = 0;
                    scale[k] = 0f;
                }
            }
            FloatVector isum = (FloatVector) IntVector.fromArray(I16, tail, 0).convert(VectorOperators.I2F, 0);
            sum = isum.fma(FloatVector.fromArray(F16, scale, 0), sum);
        }
        sum.intoArray(acc, 0);
        return sum(acc);
    }

    /** Block {@code k} of the group: its 32 products {@code w * x} (exact in int16) added in pairs into 16 ints. */
    private static IntVector pairs(MemorySegment w, long wg, short[] x, int xg, int k) {
        ShortVector wv = (ShortVector) ByteVector.fromMemorySegment(B32, w, wg + 34L * k + 2, LITTLE)
                .convertShape(VectorOperators.B2S, S32, 0);
        IntVector p = wv.mul(ShortVector.fromArray(S32, x, xg + 32 * k)).reinterpretAsInts();
        return p.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(p.lanewise(VectorOperators.ASHR, 16));
    }

    /**
     * Lanes {@code 2i, 2i+1} of {@code a} then of {@code b} added: applied as a tree to 16 vectors of 16 partial
     * sums (one vector per block), it leaves block k's total in lane k.
     */
    private static IntVector fold(IntVector a, IntVector b) {
        return EVEN.selectFrom(a, b).add(ODD.selectFrom(a, b));
    }

    /** {@link #dot} one value at a time: the same integers and the same float steps. */
    static float scalarDot(MemorySegment w, long row, Q8Activations a, int t, int nb, float[] acc) {
        java.util.Arrays.fill(acc, 0f);
        MemorySegment q = a.quants();
        long first = (long) t * nb;
        for (int b = 0; b < nb; b++) {
            long wb = row + 34L * b;
            long xb = 32 * (first + b);
            int isum = 0;
            for (int j = 0; j < 32; j++) {
                isum += w.get(ValueLayout.JAVA_BYTE, wb + 2 + j) * q.get(ValueLayout.JAVA_BYTE, xb + j);
            }
            float scale = Float.float16ToFloat(w.get(HALF, wb)) * a.scales().getAtIndex(FLOAT, first + b);
            acc[b & 15] = Math.fma((float) isum, scale, acc[b & 15]);
        }
        return sum(acc);
    }

    /** The 16 accumulators added left to right, as the C kernel does. */
    static float sum(float[] acc) {
        float s = acc[0];
        for (int k = 1; k < 16; k++) {
            s += acc[k];
        }
        return s;
    }
}
