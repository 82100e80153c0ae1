package io.jserve.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A bounds-checked little-endian reader over the bytes of a GGUF file. Every read first checks that the
 * bytes exist and throws {@link GgufFormatException} naming the file, the offset and {@code what} was being
 * read otherwise; lengths read from the file are checked against the bytes left before anything is
 * allocated, so a corrupted length can never cause an {@code OutOfMemoryError}.
 */
final class GgufCursor {
    static final ValueLayout.OfByte U8 = ValueLayout.JAVA_BYTE;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment data;
    private final long size;
    private long pos;

    GgufCursor(Path file, MemorySegment data) {
        this.file = file;
        this.data = data;
        this.size = data.byteSize();
    }

    Path file() {
        return file;
    }

    MemorySegment data() {
        return data;
    }

    long position() {
        return pos;
    }

    /** Moves back to an offset already read (never forward past unchecked bytes). */
    void seek(long offset) {
        if (offset < 0 || offset > pos) {
            throw new IllegalArgumentException("seek to %d from %d".formatted(offset, pos));
        }
        pos = offset;
    }

    long remaining() {
        return size - pos;
    }

    /** Checks that {@code n} more bytes exist, then advances past them, returning where they start. */
    long take(long n, String what) {
        if (n < 0 || n > size - pos) {
            throw error("truncated %s at offset %d: needs %s bytes, only %d left"
                    .formatted(what, pos, n < 0 ? Long.toUnsignedString(n) : Long.toString(n), size - pos));
        }
        long at = pos;
        pos += n;
        return at;
    }

    int u8(String what) {
        return data.get(U8, take(1, what)) & 0xFF;
    }

    int i8(String what) {
        return data.get(U8, take(1, what));
    }

    int u16(String what) {
        return data.get(I16, take(2, what)) & 0xFFFF;
    }

    int i16(String what) {
        return data.get(I16, take(2, what));
    }

    int i32(String what) {
        return data.get(I32, take(4, what));
    }

    long u32(String what) {
        return Integer.toUnsignedLong(i32(what));
    }

    long i64(String what) {
        return data.get(I64, take(8, what));
    }

    float f32(String what) {
        return data.get(F32, take(4, what));
    }

    double f64(String what) {
        return data.get(F64, take(8, what));
    }

    /**
     * Reads a count of {@code elementSize}-byte items and checks that that many items can still fit in the
     * file, so the caller may allocate {@code count} slots safely.
     */
    int count(String what, long minElementSize) {
        long n = i64(what);
        if (n < 0 || n > remaining() / minElementSize) {
            throw error("%s %s at offset %d is larger than the rest of the file (%d bytes)"
                    .formatted(what, Long.toUnsignedString(n), pos - 8, remaining()));
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw error("%s %d at offset %d is larger than this reader supports".formatted(what, n, pos - 8));
        }
        return (int) n;
    }

    /** A GGUF string: a uint64 byte length, then UTF-8 bytes. */
    String string(String what) {
        long len = data.byteSize() - pos >= 8 ? data.get(I64, take(8, what)) : i64(what + " length");
        if (len < 0 || len > remaining()) {
            throw error("%s length %s at offset %d is larger than the rest of the file (%d bytes)"
                    .formatted(what, Long.toUnsignedString(len), pos - 8, remaining()));
        }
        if (len > Integer.MAX_VALUE - 8) {
            throw error("%s length %d at offset %d is larger than this reader supports".formatted(what, len, pos - 8));
        }
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(data, U8, take(len, what), bytes, 0, (int) len);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    GgufFormatException error(String message) {
        return new GgufFormatException(file + ": " + message);
    }
}
