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
    private static final ByteOrder LITTLE = ByteOrder.LITTLE_ENDIAN;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** The fused dot assumes 16 float lanes: a block's low nibbles are one chunk, its high nibbles the next. */
    @Override
    public boolean hasDot() {
        return F.length() == 16;
    }

    /** As {@link Q8_0Decoder#dot}: blocks {@code 2k, 2k + 1} feed accumulators 0-3, a last odd block 0 and 1. */
    @Override
    public float dot(MemorySegment src, long offset, MemorySegment x, long xo, int cols, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int blocks = cols / 32;
        int i = 0;
        for (; i + 2 <= blocks; i += 2) {
            long b = offset + 18L * i;
            float d0 = Float.float16ToFloat(src.get(LE, b));
            float d1 = Float.float16ToFloat(src.get(LE, b + 18));
            ByteVector q0 = ByteVector.fromMemorySegment(B, src, b + 2, LITTLE);
            ByteVector q1 = ByteVector.fromMemorySegment(B, src, b + 20, LITTLE);
            FloatVector w0 = (FloatVector) q0.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
            FloatVector w1 = (FloatVector) q0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)
                    .convertShape(VectorOperators.B2F, F, 0);
            FloatVector w2 = (FloatVector) q1.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
            FloatVector w3 = (FloatVector) q1.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)
                    .convertShape(VectorOperators.B2F, F, 0);
            long c = xo + 128L * i;
            a0 = w0.mul(d0).fma(FloatVector.fromMemorySegment(F, x, c, NATIVE), a0);
            a1 = w1.mul(d0).fma(FloatVector.fromMemorySegment(F, x, c + 64, NATIVE), a1);
            a2 = w2.mul(d1).fma(FloatVector.fromMemorySegment(F, x, c + 128, NATIVE), a2);
            a3 = w3.mul(d1).fma(FloatVector.fromMemorySegment(F, x, c + 192, NATIVE), a3);
        }
        if (i < blocks) {
            long b = offset + 18L * i;
            float d0 = Float.float16ToFloat(src.get(LE, b));
            ByteVector q0 = ByteVector.fromMemorySegment(B, src, b + 2, LITTLE);
            FloatVector w0 = (FloatVector) q0.and((byte) 0x0F).sub((byte) 8).convertShape(VectorOperators.B2F, F, 0);
            FloatVector w1 = (FloatVector) q0.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)
                    .convertShape(VectorOperators.B2F, F, 0);
            long c = xo + 128L * i;
            a0 = w0.mul(d0).fma(FloatVector.fromMemorySegment(F, x, c, NATIVE), a0);
            a1 = w1.mul(d0).fma(FloatVector.fromMemorySegment(F, x, c + 64, NATIVE), a1);
        }
        a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
        return DotKernel.sumLanes(lanes);
    }

    @Override
    public void decode(MemorySegment src, long offset, int cols, float[] dst, Scratch scratch) {
        int l = F.length();
        int blocks = cols / 32;
        for (int i = 0; i < blocks; i++) {
            long b = offset + 18L * i;
            float d = Float.float16ToFloat(src.get(LE, b));
            for (int k = 0; k < 16; k += l) {
                ByteVector q = ByteVector.fromMemorySegment(B, src, b + 2 + k, LITTLE);
                ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
                ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                ((FloatVector) lo.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, 32 * i + k);
                ((FloatVector) hi.convertShape(VectorOperators.B2F, F, 0)).mul(d).intoArray(dst, 32 * i + 16 + k);
            }
        }
    }
}
