package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a GGUF v3 file: metadata of every value type, then tensors whose bytes are streamed from
 * {@link GgufTensorData} callbacks when {@link #write(Path)} runs, so no model ever sits in memory whole.
 *
 * <p>Layout written: header, metadata (in insertion order), tensor infos (in insertion order), zero padding
 * to the alignment, then each tensor's bytes followed by zero padding to the alignment (as gguf-py does).
 * Usage: {@code new GgufWriter().putString("general.architecture", "llama").addTensor(...).write(path)}.
 */
public final class GgufWriter {
    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Map<String, PendingTensor> tensorNames = new LinkedHashMap<>();
    private long alignment = GgufHeaderParser.DEFAULT_ALIGNMENT;

    private record PendingTensor(GgufTensorInfo info, GgufTensorData data) {
    }

    /**
     * Stores a value as the given GGUF type; see {@link GgufValueEncoder} for the accepted Java shapes
     * ({@link GgufArray} for arrays). Storing {@code general.alignment} also sets the data alignment.
     *
     * @throws IllegalArgumentException for a duplicate key or a value that does not fit the type
     */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        GgufValueEncoder.checkScalar(type, value);
        if (entries.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key " + key);
        }
        if (key.equals(GgufHeaderParser.ALIGNMENT_KEY)) {
            long a = ((Number) value).longValue();
            if (!type.isInteger() || a <= 0 || Long.bitCount(a) != 1 || a > (1L << 30)) {
                throw new IllegalArgumentException("general.alignment must be an integer power of two, got " + value);
            }
            alignment = a;
        }
        LittleEndianBytes out = new LittleEndianBytes();
        out.string(key).u32(type.id());
        GgufValueEncoder.encode(out, type, value);
        return putEncoded(key, out);
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValueType.UINT32, value);
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    public GgufWriter putUint64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    /** An array; {@code values} shaped as {@link GgufArray} documents. */
    public GgufWriter putArray(String key, GgufValueType elementType, Object values) {
        return put(key, GgufValueType.ARRAY, new GgufArray(elementType, values));
    }

    public GgufWriter putStrings(String key, List<String> values) {
        return putArray(key, GgufValueType.STRING, values);
    }

    /** The data alignment (default 32); a non-default value is recorded as {@code general.alignment}. */
    public GgufWriter alignment(long alignment) {
        return putUint32(GgufHeaderParser.ALIGNMENT_KEY, alignment);
    }

    /** Copies a key's value from another file byte for byte, keeping its exact GGUF types. */
    public GgufWriter copyMetadata(GgufFile source, String key) {
        byte[] raw = source.rawValue(key).toArray(ValueLayout.JAVA_BYTE);
        if (key.equals(GgufHeaderParser.ALIGNMENT_KEY)) {
            return put(key, source.valueType(key).orElseThrow(), source.metadata().get(key));
        }
        LittleEndianBytes out = new LittleEndianBytes();
        out.string(key).bytes(raw);
        return putEncoded(key, out);
    }

    /**
     * Declares a tensor; its bytes are pulled from {@code data} during {@link #write(Path)}, in declaration
     * order.
     *
     * @param dims GGUF dimensions, innermost ({@code ne0}, the row length) first
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, GgufTensorData data) {
        Objects.requireNonNull(data, "data");
        if (tensorNames.containsKey(name)) {
            throw new IllegalArgumentException("duplicate tensor " + name);
        }
        PendingTensor t = new PendingTensor(GgufTensorInfo.of(name, dims, type, 0), data);
        tensors.add(t);
        tensorNames.put(name, t);
        return this;
    }

    /** Declares an F32 tensor holding {@code values} (the array is read at write time). */
    public GgufWriter addTensor(String name, long[] dims, float[] values) {
        long n = Arrays.stream(dims).reduce(1, Math::multiplyExact);
        if (n != values.length) {
            throw new IllegalArgumentException("tensor %s of shape %s needs %d values, got %d"
                    .formatted(name, Arrays.toString(dims), n, values.length));
        }
        return addTensor(name, GgmlType.F32, dims, GgufTensorData.ofFloats(values));
    }

    /** Writes the file, replacing any existing one. */
    public void write(Path path) throws IOException {
        LittleEndianBytes header = new LittleEndianBytes();
        header.u32(GgufHeaderParser.MAGIC).u32(3).u64(tensors.size()).u64(entries.size());
        entries.values().forEach(header::bytes);
        long offset = 0;
        for (PendingTensor t : tensors) {
            GgufTensorInfo info = t.info();
            header.string(info.name()).u32(info.dims().length);
            for (long d : info.dims()) {
                header.u64(d);
            }
            header.u32(info.type().id()).u64(offset);
            offset = GgufHeaderParser.alignUp(offset + info.byteSize(), alignment);
        }
        header.zeros(padding(header.size()));
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            GgufTensorData.writeFully(ch, header.toByteBuffer());
            for (PendingTensor t : tensors) {
                CountingChannel counted = new CountingChannel(ch);
                t.data().writeTo(counted);
                if (counted.written != t.info().byteSize()) {
                    throw new IOException("tensor %s: its data wrote %d bytes, expected %d"
                            .formatted(t.info().name(), counted.written, t.info().byteSize()));
                }
                GgufTensorData.writeFully(ch, ByteBuffer.allocate(padding(t.info().byteSize())));
            }
        }
    }

    private int padding(long size) {
        return (int) (GgufHeaderParser.alignUp(size, alignment) - size);
    }

    private GgufWriter putEncoded(String key, LittleEndianBytes encoded) {
        if (entries.containsKey(key)) {
            throw new IllegalArgumentException("duplicate metadata key " + key);
        }
        byte[] bytes = new byte[encoded.size()];
        encoded.toByteBuffer().get(bytes);
        entries.put(key, bytes);
        return this;
    }

    /** Forwards writes and counts them, to check each tensor supplied exactly its size. */
    private static final class CountingChannel implements WritableByteChannel {
        private final WritableByteChannel out;
        private long written;

        CountingChannel(WritableByteChannel out) {
            this.out = out;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = out.write(src);
            written += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return out.isOpen();
        }

        @Override
        public void close() {
            // the writer owns the file channel
        }
    }
}
