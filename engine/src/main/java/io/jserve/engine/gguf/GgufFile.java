package io.jserve.engine.gguf;

import io.jserve.kernels.WeightView;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A GGUF (v2 or v3) model file: its metadata, its tensor table and its tensor data, memory-mapped.
 *
 * <p>The whole file is mapped read-only into one shared {@link Arena} owned by this object (no copying,
 * no 2 GB limit); {@link #weight(String)} hands out slices of that mapping, which stay valid until
 * {@link #close()}. The header is parsed from the mapping with bounds checks on every read, so a truncated
 * or corrupted file fails in {@link #open(Path)} with a {@link GgufFormatException}, never later.
 *
 * <p>Metadata values are decoded as: UINT8, INT8, UINT16, INT16, INT32 to {@code Integer}; UINT32, INT64,
 * UINT64 to {@code Long} (UINT64 as raw bits); FLOAT32 to {@code Float}; FLOAT64 to {@code Double}; BOOL to
 * {@code Boolean}; STRING to {@code String}; arrays of integer types of up to 32 bits to {@code int[]}
 * (UINT32 as raw bits), of 64-bit integers to {@code long[]}, of FLOAT32 to {@code float[]}, of FLOAT64 to
 * {@code double[]}, of BOOL to {@code boolean[]}, of STRING to {@code List<String>} and nested arrays to
 * {@code List<Object>} of these same shapes.
 */
public final class GgufFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final GgufHeader header;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensorsByName;

    private GgufFile(Path path, Arena arena, MemorySegment data, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.header = header;
        Map<String, Object> values = new LinkedHashMap<>(header.entries().size() * 2);
        header.entries().forEach((k, e) -> values.put(k, e.value()));
        this.metadata = Collections.unmodifiableMap(values);
        Map<String, GgufTensorInfo> byName = new LinkedHashMap<>(header.tensors().size() * 2);
        header.tensors().forEach(t -> byName.put(t.name(), t));
        this.tensorsByName = Collections.unmodifiableMap(byName);
    }

    /**
     * Maps and parses a GGUF file.
     *
     * @throws GgufFormatException if the file is missing, unreadable, truncated, corrupted or of version 1
     */
    public static GgufFile open(Path path) {
        Objects.requireNonNull(path, "path");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new GgufFile(path, arena, data, GgufHeaderParser.parse(path, data));
        } catch (NoSuchFileException e) {
            arena.close();
            throw new GgufFormatException(path + ": no such file", e);
        } catch (IOException e) {
            arena.close();
            throw new GgufFormatException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Parses GGUF bytes that are already in memory (tests, embedded resources). The caller keeps ownership
     * of {@code data}; {@link #close()} releases nothing.
     *
     * @param label a name for error messages
     */
    static GgufFile parse(Path label, MemorySegment data) {
        return new GgufFile(label, null, data, GgufHeaderParser.parse(label, data));
    }

    /** The file this was opened from. */
    public Path path() {
        return path;
    }

    /** The GGUF version, 2 or 3. */
    public int version() {
        return header.version();
    }

    /** The data alignment: {@code general.alignment}, 32 when absent. */
    public long alignment() {
        return header.alignment();
    }

    /** File offset of the tensor data section. */
    public long dataOffset() {
        return header.dataOffset();
    }

    /** All metadata in file order, unmodifiable (the arrays inside are shared: do not modify them). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The GGUF type a key was stored as. */
    public Optional<GgufValueType> valueType(String key) {
        return Optional.ofNullable(header.entries().get(key)).map(GgufMetadataEntry::type);
    }

    /** For an array-valued key, the GGUF type of its elements. */
    public Optional<GgufValueType> arrayElementType(String key) {
        return Optional.ofNullable(header.entries().get(key)).map(GgufMetadataEntry::elementType);
    }

    public Optional<String> string(String key) {
        return typed(key, String.class, "STRING", v -> v);
    }

    /** An integer value of any width; UINT64 values above {@code Long.MAX_VALUE} come back negative. */
    public OptionalLong integer(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return OptionalLong.empty();
        }
        if (v instanceof Integer || v instanceof Long) {
            return OptionalLong.of(((Number) v).longValue());
        }
        throw wrongType(key, "an integer", v);
    }

    /** A FLOAT32 value; any other number is accepted and narrowed. */
    public Optional<Float> float32(String key) {
        return typed(key, Number.class, "a number", Number::floatValue);
    }

    public Optional<Boolean> bool(String key) {
        return typed(key, Boolean.class, "BOOL", v -> v);
    }

    /** An array of strings (unmodifiable). */
    public Optional<List<String>> strings(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof List<?> list && header.entries().get(key).elementType() == GgufValueType.STRING) {
            @SuppressWarnings("unchecked")
            List<String> strings = (List<String>) list;
            return Optional.of(strings);
        }
        throw wrongType(key, "an array of STRING", v);
    }

    /** An array of integers of up to 32 bits (a copy). */
    public Optional<int[]> ints(String key) {
        return typed(key, int[].class, "an array of 32-bit integers", int[]::clone);
    }

    /** An array of FLOAT32 (a copy). */
    public Optional<float[]> floats(String key) {
        return typed(key, float[].class, "an array of FLOAT32", float[]::clone);
    }

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensors() {
        return header.tensors();
    }

    public Optional<GgufTensorInfo> tensor(String name) {
        return Optional.ofNullable(tensorsByName.get(name));
    }

    /**
     * The mapped bytes of a tensor as a weight: {@code cols = dims[0]}, {@code rows} = the product of the
     * other dimensions. Valid until {@link #close()}.
     *
     * @throws GgufFormatException if there is no such tensor
     */
    public WeightView weight(String name) {
        GgufTensorInfo t = tensorsByName.get(name);
        if (t == null) {
            throw new GgufFormatException("%s: no tensor named %s".formatted(path, name));
        }
        MemorySegment bytes = data.asSlice(header.dataOffset() + t.offset(), t.byteSize());
        return new WeightView(name, t.type(), t.rows(), t.cols(), bytes);
    }

    /** Raw encoded value of a key (type id onwards), for copying it verbatim into another file. */
    MemorySegment rawValue(String key) {
        GgufMetadataEntry e = header.entries().get(key);
        if (e == null) {
            throw new IllegalArgumentException("%s: no metadata key %s".formatted(path, key));
        }
        return data.asSlice(e.rawOffset(), e.rawLength());
    }

    /** Unmaps the file; weights handed out before become inaccessible. Idempotent. */
    @Override
    public void close() {
        if (arena != null && arena.scope().isAlive()) {
            arena.close();
        }
    }

    private <T, R> Optional<R> typed(String key, Class<T> type, String expected, Function<T, R> convert) {
        Object v = metadata.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!type.isInstance(v)) {
            throw wrongType(key, expected, v);
        }
        return Optional.of(convert.apply(type.cast(v)));
    }

    private GgufFormatException wrongType(String key, String expected, Object actual) {
        GgufMetadataEntry e = header.entries().get(key);
        String stored = e.type() == GgufValueType.ARRAY ? "an array of " + e.elementType() : e.type().toString();
        return new GgufFormatException("%s: metadata key %s should be %s but is %s (%s)"
                .formatted(path, key, expected, stored, actual.getClass().getSimpleName()));
    }

    @Override
    public String toString() {
        return "GgufFile[%s v%d, %d keys, %d tensors]".formatted(path, version(), metadata.size(), tensors().size());
    }
}
