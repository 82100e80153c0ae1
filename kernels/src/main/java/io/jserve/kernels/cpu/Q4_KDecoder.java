package io.jserve.kernels.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Q4_K rows (super-blocks of 256: fp16 d and dmin, 12 bytes of packed 6-bit scales and minimums, 128 bytes of
 * nibbles): per sub-block of 32, {@code y = (d * sc) * q - (dmin * m)} as ggml, unfused, with the nibbles widened
 * to float lanes.
 */
final class Q4_KDecoder implements RowDecoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));
    private static final ValueLayout.OfShort LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch) {
        int l = F.length();
        int blocks = cols / 256;
        for (int i = 0; i < blocks; i++) {
            long b = offset + 144L * i;
            float d = Float.float16ToFloat(src.get(LE, b));
            float min = Float.float16ToFloat(src.get(LE, b + 2));
            long sc = b + 4;
            for (int j = 0; j < 4; j++) {
                float d1 = d * scale(src, sc, 2 * j);
                float m1 = min * min(src, sc, 2 * j);
                float d2 = d * scale(src, sc, 2 * j + 1);
                float m2 = min * min(src, sc, 2 * j + 1);
                long q = b + 16 + 32L * j;
                int y = 256 * i + 64 * j;
                for (int k = 0; k < 32; k += l) {
                    ByteVector v = ByteVector.fromMemorySegment(B, src, q + k, ByteOrder.LITTLE_ENDIAN);
                    ((FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0)).mul(d1).sub(m1)
                            .intoArray(dst, y + k);
                    ((FloatVector) v.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, F, 0))
                            .mul(d2).sub(m2).intoArray(dst, y + 32 + k);
                }
            }
        }
    }

    /** ggml's {@code get_scale_min_k4}, scale half. */
    private static int scale(MemorySegment s, long q, int j) {
        if (j < 4) {
            return s.get(ValueLayout.JAVA_BYTE, q + j) & 63;
        }
        return (s.get(ValueLayout.JAVA_BYTE, q + j + 4) & 0xF) | (((s.get(ValueLayout.JAVA_BYTE, q + j - 4) & 0xFF) >> 6) << 4);
    }

    /** ggml's {@code get_scale_min_k4}, minimum half. */
    private static int min(MemorySegment s, long q, int j) {
        if (j < 4) {
            return s.get(ValueLayout.JAVA_BYTE, q + j + 4) & 63;
        }
        return ((s.get(ValueLayout.JAVA_BYTE, q + j + 4) & 0xFF) >> 4) | (((s.get(ValueLayout.JAVA_BYTE, q + j) & 0xFF) >> 6) << 4);
    }
}
