package io.jserve.kernels.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian reads of GGML's on-disk fields (blocks are packed, so nothing is aligned). */
final class Bytes {
    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Bytes() {
    }

    /** The unsigned byte at {@code offset}. */
    static int u8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** The signed byte at {@code offset}. */
    static int i8(MemorySegment s, long offset) {
        return s.get(ValueLayout.JAVA_BYTE, offset);
    }

    /** The IEEE half at {@code offset}, converted exactly (as ggml's {@code GGML_FP16_TO_FP32}). */
    static float f16(MemorySegment s, long offset) {
        return Float.float16ToFloat(s.get(SHORT_LE, offset));
    }

    /** The 32-bit little-endian word at {@code offset}. */
    static int u32(MemorySegment s, long offset) {
        return s.get(INT_LE, offset);
    }

    /** Checks that {@code count} is a whole number of blocks of {@code blockSize}. */
    static int blocks(int count, int blockSize) {
        if (count < 0 || count % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%d values is not a whole number of blocks of %d".formatted(count, blockSize));
        }
        return count / blockSize;
    }
}
