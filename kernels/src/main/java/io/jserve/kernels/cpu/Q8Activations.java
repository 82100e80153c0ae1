package io.jserve.kernels.cpu;

import io.jserve.kernels.host.HostTensor;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Activation rows rounded to 8 bits per block of 32 values, the way llama.cpp's CPU backend prepares the
 * activations of a Q8_0 product ({@code quantize_row_q8_0}, x86 path): {@code amax = max |x|},
 * {@code d = fp16(amax / 127)}, {@code q = round-half-even(x * (127 / amax))}. Besides the quants and the scale
 * (as the float value of the fp16), each block keeps the sum of its quants, which the native kernel needs to
 * undo its unsigned offset.
 *
 * <p>Layout, in native memory so the C kernel can read it: token {@code t}, block {@code b} has its 32 quants at
 * byte {@code 32 * (t * blocks + b)} of {@link #quants()}, its scale at float index {@code t * blocks + b} of
 * {@link #scales()} and its sum at int index {@code t * blocks + b} of {@link #sums()}. The buffers grow to the
 * largest activation seen and are reused; one instance per backend (the engine thread).
 */
final class Q8Activations {
    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Short> S16 = jdk.incubator.vector.ShortVector.SPECIES_256;
    /** Adding and subtracting 1.5 * 2^23 rounds a float of magnitude below 2^22 to an integer, half to even. */
    private static final float ROUND = 12582912f;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    /** The vector quantizer needs 16 float lanes; other machines use the scalar loop (same results). */
    private static final boolean VECTOR = FloatVector.SPECIES_PREFERRED.length() >= 16;

    private MemorySegment quants = MemorySegment.NULL;
    private MemorySegment scales = MemorySegment.NULL;
    private MemorySegment sums = MemorySegment.NULL;
    private MemorySegment packed = MemorySegment.NULL;
    /** The quants widened to int16, for the Java kernel's 16-bit products. */
    private short[] widened = new short[0];
    private boolean widen;
    /** Whether {@link #packed} holds the current rows (packing is done on first use, once per quantization). */
    private boolean packedValid;
    private int tokens;
    private int blocks;

    /** Quantizes every row of {@code x}, with the int16 copy the Java kernel reads. */
    void quantize(HostTensor x) {
        quantize(x, true);
    }

    /**
     * Quantizes every row of {@code x} (whose width is a multiple of 32), replacing the previous contents; the
     * int16 copy ({@link #widened()}) only when {@code widen} (the C kernel does not read it).
     */
    void quantize(HostTensor x, boolean widen) {
        if (x.cols() % 32 != 0) {
            throw new IllegalArgumentException("8-bit activations need rows of whole 32-value blocks, got " + x.cols());
        }
        tokens = x.rows();
        blocks = x.cols() / 32;
        packedValid = false;
        long n = (long) tokens * blocks;
        if (scales.byteSize() < 4 * n) {
            Arena arena = Arena.ofAuto();
            quants = arena.allocate(32 * n, 64);
            scales = arena.allocate(4 * n, 64);
            sums = arena.allocate(4 * n, 64);
        }
        this.widen = widen;
        if (widen && widened.length < 32 * n) {
            widened = new short[(int) (32 * n)];
        }
        MemorySegment xs = x.segment();
        for (int t = 0; t < tokens; t++) {
            for (int b = 0; b < blocks; b++) {
                long i = (long) t * blocks + b;
                long src = x.rowOffset(t) + 128L * b;
                if (VECTOR) {
                    vectorBlock(xs, src, i);
                } else {
                    scalarBlock(xs, src, i);
                }
            }
        }
    }

    private void vectorBlock(MemorySegment xs, long src, long i) {
        FloatVector v0 = FloatVector.fromMemorySegment(F16, xs, src, java.nio.ByteOrder.nativeOrder());
        FloatVector v1 = FloatVector.fromMemorySegment(F16, xs, src + 64, java.nio.ByteOrder.nativeOrder());
        float amax = v0.abs().max(v1.abs()).reduceLanes(VectorOperators.MAX); // exact in any order
        float id = amax != 0f ? 127f / amax : 0f;
        IntVector q0 = (IntVector) v0.mul(id).add(ROUND).sub(ROUND).convert(VectorOperators.F2I, 0);
        IntVector q1 = (IntVector) v1.mul(id).add(ROUND).sub(ROUND).convert(VectorOperators.F2I, 0);
        q0.convertShape(VectorOperators.I2B, B16, 0).intoMemorySegment(quants, 32 * i, java.nio.ByteOrder.nativeOrder());
        q1.convertShape(VectorOperators.I2B, B16, 0).intoMemorySegment(quants, 32 * i + 16, java.nio.ByteOrder.nativeOrder());
        if (widen) {
            ((jdk.incubator.vector.ShortVector) q0.convertShape(VectorOperators.I2S, S16, 0)).intoArray(widened, (int) (32 * i));
            ((jdk.incubator.vector.ShortVector) q1.convertShape(VectorOperators.I2S, S16, 0)).intoArray(widened, (int) (32 * i + 16));
        }
        sums.setAtIndex(INT, i, q0.add(q1).reduceLanes(VectorOperators.ADD));
        scales.setAtIndex(FLOAT, i, Float.float16ToFloat(Float.floatToFloat16(amax / 127f)));
    }

    private void scalarBlock(MemorySegment xs, long src, long i) {
        float amax = 0f;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(xs.get(FLOAT, src + 4L * j)));
        }
        float id = amax != 0f ? 127f / amax : 0f;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int) Math.rint(xs.get(FLOAT, src + 4L * j) * id);
            quants.set(ValueLayout.JAVA_BYTE, 32 * i + j, (byte) q);
            if (widen) {
                widened[(int) (32 * i + j)] = (short) q;
            }
            sum += q;
        }
        sums.setAtIndex(INT, i, sum);
        scales.setAtIndex(FLOAT, i, Float.float16ToFloat(Float.floatToFloat16(amax / 127f)));
    }

    /** The rows in the native kernel's batched layout ({@link NativeQ8Kernel#pack}), packed on first call. */
    MemorySegment packed() {
        if (!packedValid) {
            long bytes = NativeQ8Kernel.packedBytes(tokens, blocks);
            if (packed.byteSize() < bytes) {
                packed = Arena.ofAuto().allocate(bytes, 64);
            }
            NativeQ8Kernel.pack(this, packed);
            packedValid = true;
        }
        return packed;
    }

    /** Rows quantized by the last {@link #quantize}. */
    int tokens() {
        return tokens;
    }

    /** Blocks per row. */
    int blocks() {
        return blocks;
    }

    /** The int8 quants, 32 per block, row after row. */
    MemorySegment quants() {
        return quants;
    }

    /** The float value of each block's fp16 scale. */
    MemorySegment scales() {
        return scales;
    }

    /** The quants as int16, {@code 32 * blocks} per row (a heap copy for the Java kernel). */
    short[] widened() {
        if (!widen) {
            throw new IllegalStateException("activations were quantized without their int16 copy");
        }
        return widened;
    }

    /** Each block's sum of quants. */
    MemorySegment sums() {
        return sums;
    }
}
