package io.jserve.engine.gguf;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Decodes GGUF metadata values into the Java shapes {@link GgufFile#metadata()} documents: small integers to
 * {@code Integer}, UINT32/INT64/UINT64 to {@code Long}, arrays of numbers to primitive arrays, arrays of
 * strings to {@code List<String>} and nested arrays to {@code List<Object>}. Arrays of fixed-size values are
 * copied in bulk straight from the mapped file.
 */
final class GgufValueReader {
    /** Nesting deeper than this is certainly corruption, and unbounded recursion would overflow the stack. */
    static final int MAX_ARRAY_DEPTH = 16;

    private GgufValueReader() {
    }

    /** Reads a value type id and checks it. */
    static GgufValueType type(GgufCursor in, String what) {
        long at = in.position();
        long id = in.u32(what);
        GgufValueType type = GgufValueType.fromIdOrNull(id);
        if (type == null) {
            throw in.error("unknown metadata value type %d for %s at offset %d".formatted(id, what, at));
        }
        return type;
    }

    /** Reads one value of {@code type}; {@code key} names it in error messages. */
    static Object value(GgufCursor in, GgufValueType type, String key, int depth) {
        String what = "value of " + key;
        return switch (type) {
            case UINT8 -> in.u8(what);
            case INT8 -> in.i8(what);
            case UINT16 -> in.u16(what);
            case INT16 -> in.i16(what);
            case INT32 -> in.i32(what);
            case UINT32 -> in.u32(what);
            case INT64, UINT64 -> in.i64(what);
            case FLOAT32 -> in.f32(what);
            case FLOAT64 -> in.f64(what);
            case BOOL -> in.u8(what) != 0;
            case STRING -> in.string(what);
            case ARRAY -> array(in, key, depth);
        };
    }

    private static Object array(GgufCursor in, String key, int depth) {
        if (depth >= MAX_ARRAY_DEPTH) {
            throw in.error("array %s is nested more than %d levels deep".formatted(key, MAX_ARRAY_DEPTH));
        }
        GgufValueType element = type(in, "array element type of " + key);
        int n = in.count("array length of " + key, element.minEncodedSize());
        MemorySegment data = in.data();
        String what = "array " + key;
        return switch (element) {
            case UINT8, INT8, BOOL -> {
                byte[] bytes = new byte[n];
                MemorySegment.copy(data, GgufCursor.U8, in.take(n, what), bytes, 0, n);
                yield widenBytes(bytes, element);
            }
            case UINT16, INT16 -> {
                short[] shorts = new short[n];
                MemorySegment.copy(data, GgufCursor.I16, in.take(2L * n, what), shorts, 0, n);
                int[] out = new int[n];
                for (int i = 0; i < n; i++) {
                    out[i] = element == GgufValueType.UINT16 ? shorts[i] & 0xFFFF : shorts[i];
                }
                yield out;
            }
            case UINT32, INT32 -> {
                int[] out = new int[n]; // UINT32 keeps its raw bits
                MemorySegment.copy(data, GgufCursor.I32, in.take(4L * n, what), out, 0, n);
                yield out;
            }
            case UINT64, INT64 -> {
                long[] out = new long[n];
                MemorySegment.copy(data, GgufCursor.I64, in.take(8L * n, what), out, 0, n);
                yield out;
            }
            case FLOAT32 -> {
                float[] out = new float[n];
                MemorySegment.copy(data, GgufCursor.F32, in.take(4L * n, what), out, 0, n);
                yield out;
            }
            case FLOAT64 -> {
                double[] out = new double[n];
                MemorySegment.copy(data, GgufCursor.F64, in.take(8L * n, what), out, 0, n);
                yield out;
            }
            case STRING -> {
                String[] out = new String[n];
                for (int i = 0; i < n; i++) {
                    out[i] = in.string(what); // no per-element label: 280k strings must stay cheap
                }
                yield Collections.unmodifiableList(Arrays.asList(out));
            }
            case ARRAY -> {
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    out.add(array(in, key + "[" + i + "]", depth + 1));
                }
                yield Collections.unmodifiableList(out);
            }
        };
    }

    private static Object widenBytes(byte[] bytes, GgufValueType element) {
        if (element == GgufValueType.BOOL) {
            boolean[] out = new boolean[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                out[i] = bytes[i] != 0;
            }
            return out;
        }
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = element == GgufValueType.UINT8 ? bytes[i] & 0xFF : bytes[i];
        }
        return out;
    }
}
