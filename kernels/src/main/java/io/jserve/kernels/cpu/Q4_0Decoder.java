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
 * Q4_0 rows (blocks: fp16 d, 16 bytes of nibbles): low nibbles are values 0..15, high nibbles 16..31;
 * {@code y = (q - 8) * d} as ggml, the subtraction done exactly in byte lanes.
 */
final class Q4_0Decoder implements RowDecoder {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(F.vectorBitSize() / 4));
    private static final ValueLayout.OfShort LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Override
    public void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch) {
        int l = F.length();
        int blocks = cols / 32;
        for (int i = 0; i < blocks; i++) {
            long b = offset + 18L * i;
            float d = Float.float16ToFloat(src.get(LE, b));
            for (int k = 0; k < 16; k += l) {
                ByteVector q = ByteVector.fromMemorySegment(B, src, b + 2 + k, ByteOrder.LITTLE_ENDIAN);
                ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, 32 * i + k);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, 32 * i + 16 + k);
            }
        }
    }
}
