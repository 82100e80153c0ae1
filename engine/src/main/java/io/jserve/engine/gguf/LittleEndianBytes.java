package io.jserve.engine.gguf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable little-endian byte buffer for building GGUF headers in memory. */
final class LittleEndianBytes {
    private byte[] buf = new byte[256];
    private int size;

    int size() {
        return size;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) size + more);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("GGUF header larger than 2 GB");
            }
            buf = Arrays.copyOf(buf, (int) want);
        }
    }

    LittleEndianBytes u8(int v) {
        ensure(1);
        buf[size++] = (byte) v;
        return this;
    }

    LittleEndianBytes u16(int v) {
        return u8(v).u8(v >>> 8);
    }

    LittleEndianBytes u32(int v) {
        ensure(4);
        for (int i = 0; i < 4; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    LittleEndianBytes u64(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
        return this;
    }

    LittleEndianBytes f32(float v) {
        return u32(Float.floatToRawIntBits(v));
    }

    LittleEndianBytes f64(double v) {
        return u64(Double.doubleToRawLongBits(v));
    }

    LittleEndianBytes bytes(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, buf, size, b.length);
        size += b.length;
        return this;
    }

    /** A GGUF string: uint64 byte length, then the UTF-8 bytes. */
    LittleEndianBytes string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    LittleEndianBytes zeros(int n) {
        ensure(n);
        size += n; // the array is zero-filled past size: it only ever grows
        return this;
    }

    LittleEndianBytes append(LittleEndianBytes other) {
        ensure(other.size);
        System.arraycopy(other.buf, 0, buf, size, other.size);
        size += other.size;
        return this;
    }

    ByteBuffer toByteBuffer() {
        return ByteBuffer.wrap(buf, 0, size);
    }
}
