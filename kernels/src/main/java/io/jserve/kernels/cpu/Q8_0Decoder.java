package io.jserve.kernels.cpu;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Q8_0 rows (blocks: fp16 d, 32 int8): bytes widened to float lanes, times d, as ggml's {@code q * d}. */
final class Q8_0Decoder implements RowDecoder {
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
            long b = offset + 34L * i;
            float d = Float.float16ToFloat(src.get(LE, b));
            for (int k = 0; k < 32; k += l) {
                ByteVector q = ByteVector.fromMemorySegment(B, src, b + 2 + k, ByteOrder.LITTLE_ENDIAN);
                ((FloatVector) q.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, 32 * i + k);
            }
        }
    }
}
