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
 * Q6_K rows (super-blocks of 256: 128 bytes of low nibbles, 64 of 2-bit highs, 16 int8 scales, fp16 d): the
 * 6-bit values are assembled and re-centred exactly in byte lanes, then {@code y = (d * sc) * q} as ggml.
 */
final class Q6_KDecoder implements RowDecoder {
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
            long b = offset + 210L * i;
            float d = Float.float16ToFloat(src.get(LE, b + 208));
            for (int n = 0; n < 2; n++) {
                long ql = b + 64L * n;
                long qh = b + 128 + 32L * n;
                long sc = b + 192 + 8L * n;
                int y = 256 * i + 128 * n;
                for (int k = 0; k < 32; k += l) {
                    int is = k / 16;
                    ByteVector lo = ByteVector.fromMemorySegment(B, src, ql + k, ByteOrder.LITTLE_ENDIAN);
                    ByteVector hi = ByteVector.fromMemorySegment(B, src, ql + 32 + k, ByteOrder.LITTLE_ENDIAN);
                    ByteVector h = ByteVector.fromMemorySegment(B, src, qh + k, ByteOrder.LITTLE_ENDIAN);
                    // byte lanes: the 2 high bits of each value, for the four quarters of the 128 values
                    ByteVector h0 = h.and((byte) 3).lanewise(VectorOperators.LSHL, 4);
                    ByteVector h1 = h.lanewise(VectorOperators.LSHR, 2).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
                    ByteVector h2 = h.lanewise(VectorOperators.LSHR, 4).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
                    ByteVector h3 = h.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4);
                    ByteVector q0 = lo.and((byte) 0x0F).or(h0).sub((byte) 32);
                    ByteVector q1 = hi.and((byte) 0x0F).or(h1).sub((byte) 32);
                    ByteVector q2 = lo.lanewise(VectorOperators.LSHR, 4).or(h2).sub((byte) 32);
                    ByteVector q3 = hi.lanewise(VectorOperators.LSHR, 4).or(h3).sub((byte) 32);
                    ((FloatVector) q0.convertShape(VectorOperators.B2F, F, 0)).mul(d * scale(src, sc + is))
                            .intoArray(dst, y + k);
                    ((FloatVector) q1.convertShape(VectorOperators.B2F, F, 0)).mul(d * scale(src, sc + is + 2))
                            .intoArray(dst, y + 32 + k);
                    ((FloatVector) q2.convertShape(VectorOperators.B2F, F, 0)).mul(d * scale(src, sc + is + 4))
                            .intoArray(dst, y + 64 + k);
                    ((FloatVector) q3.convertShape(VectorOperators.B2F, F, 0)).mul(d * scale(src, sc + is + 6))
                            .intoArray(dst, y + 96 + k);
                }
            }
        }
    }

    private static float scale(MemorySegment s, long at) {
        return s.get(ValueLayout.JAVA_BYTE, at);
    }
}
