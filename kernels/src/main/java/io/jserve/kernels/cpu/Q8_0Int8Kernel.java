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
 */
final class Q8_0Int8Kernel {
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final boolean VECTOR = FloatVector.SPECIES_PREFERRED.length() >= 16;
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    private static final ByteOrder LITTLE = ByteOrder.LITTLE_ENDIAN;

    private Q8_0Int8Kernel() {
    }

    /**
     * {@code out[t, r]} for rows {@code [r0, r1)} and every quantized token; {@code out} rows are {@code outCols}
     * floats apart. {@code acc} is 16 floats of scratch.
     */
    static void rowRange(MemorySegment w, long rowBytes, int r0, int r1, Q8Activations a, MemorySegment out,
                         int outCols, float[] acc) {
        int nb = a.blocks();
        for (int r = r0; r < r1; r++) {
            for (int t = 0; t < a.tokens(); t++) {
                float y = VECTOR ? dot(w, r * rowBytes, a, t, nb, acc) : scalarDot(w, r * rowBytes, a, t, nb, acc);
                out.setAtIndex(FLOAT, (long) t * outCols + r, y);
            }
        }
    }

    /** One row with one token; the block's two 16-value halves are multiplied in int16 and added (no overflow). */
    static float dot(MemorySegment w, long row, Q8Activations a, int t, int nb, float[] acc) {
        java.util.Arrays.fill(acc, 0f);
        MemorySegment q = a.quants();
        MemorySegment d = a.scales();
        long first = (long) t * nb;
        for (int b = 0; b < nb; b++) {
            long wb = row + 34L * b;
            long xb = 32 * (first + b);
            ShortVector w0 = (ShortVector) ByteVector.fromMemorySegment(B16, w, wb + 2, LITTLE)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector w1 = (ShortVector) ByteVector.fromMemorySegment(B16, w, wb + 18, LITTLE)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector x0 = (ShortVector) ByteVector.fromMemorySegment(B16, q, xb, LITTLE)
                    .convertShape(VectorOperators.B2S, S16, 0);
            ShortVector x1 = (ShortVector) ByteVector.fromMemorySegment(B16, q, xb + 16, LITTLE)
                    .convertShape(VectorOperators.B2S, S16, 0);
            // |w0 x0 + w1 x1| <= 2 * 128 * 127 < 2^15: exact in int16
            int isum = ((IntVector) w0.mul(x0).add(w1.mul(x1)).convertShape(VectorOperators.S2I, I16, 0))
                    .reduceLanes(VectorOperators.ADD);
            float scale = Float.float16ToFloat(w.get(HALF, wb)) * d.getAtIndex(FLOAT, first + b);
            acc[b & 15] = Math.fma((float) isum, scale, acc[b & 15]);
        }
        return sum(acc);
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
