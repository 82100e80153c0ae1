package io.jserve.engine.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;

/**
 * Supplies a tensor's bytes to {@link GgufWriter} when the file is written, so a multi-gigabyte model is
 * streamed to disk and never held in memory. An implementation must write exactly the tensor's byte size;
 * the writer checks.
 */
@FunctionalInterface
public interface GgufTensorData {
    /** Largest slice handed to a channel at once (ByteBuffers are int-indexed). */
    long MAX_CHUNK = 1L << 30;

    void writeTo(WritableByteChannel out) throws IOException;

    /** The bytes of a segment (e.g. a tensor mapped from another GGUF file), copied through in chunks. */
    static GgufTensorData of(MemorySegment bytes) {
        return out -> {
            for (long at = 0; at < bytes.byteSize(); at += MAX_CHUNK) {
                MemorySegment slice = bytes.asSlice(at, Math.min(MAX_CHUNK, bytes.byteSize() - at));
                ByteBuffer buf = slice.isNative() || slice.isMapped()
                        ? slice.asByteBuffer() : ByteBuffer.wrap(slice.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
                writeFully(out, buf);
            }
        };
    }

    /** F32 values, little-endian. */
    static GgufTensorData ofFloats(float[] values) {
        return out -> {
            ByteBuffer buf = ByteBuffer.allocate(Math.multiplyExact(values.length, Float.BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(values);
            writeFully(out, buf);
        };
    }

    /** Writes all remaining bytes of {@code buf} (a channel may take fewer per call). */
    static void writeFully(WritableByteChannel out, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            out.write(buf);
        }
    }
}
