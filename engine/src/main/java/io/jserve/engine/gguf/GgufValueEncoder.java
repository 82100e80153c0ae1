package io.jserve.engine.gguf;

import java.util.List;

/**
 * Validates Java values against a GGUF value type and encodes them, the inverse of {@link GgufValueReader}.
 * Scalars: integer types take an {@code Integer} or {@code Long} within the type's range (UINT32 as
 * 0..2^32-1, UINT64 as raw bits), FLOAT32/FLOAT64 any {@code Number}, BOOL a {@code Boolean}, STRING a
 * {@code String}, ARRAY a {@link GgufArray}.
 */
final class GgufValueEncoder {
    private GgufValueEncoder() {
    }

    static void checkScalar(GgufValueType type, Object value) {
        boolean ok = switch (type) {
            case UINT8 -> inRange(value, 0, 0xFF);
            case INT8 -> inRange(value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> inRange(value, 0, 0xFFFF);
            case INT16 -> inRange(value, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> inRange(value, 0, 0xFFFF_FFFFL);
            case INT32 -> inRange(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT64, INT64 -> value instanceof Integer || value instanceof Long;
            case FLOAT32, FLOAT64 -> value instanceof Number;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> value instanceof GgufArray;
        };
        if (!ok) {
            throw new IllegalArgumentException("value %s (%s) cannot be stored as GGUF %s"
                    .formatted(value, value == null ? "null" : value.getClass().getSimpleName(), type));
        }
    }

    static void checkArray(GgufValueType element, Object values) {
        boolean ok = switch (element) {
            case UINT8 -> intsInRange(values, 0, 0xFF);
            case INT8 -> intsInRange(values, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> intsInRange(values, 0, 0xFFFF);
            case INT16 -> intsInRange(values, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32, INT32 -> values instanceof int[]; // UINT32 as raw bits, as the reader returns it
            case UINT64, INT64 -> values instanceof long[];
            case FLOAT32 -> values instanceof float[];
            case FLOAT64 -> values instanceof double[];
            case BOOL -> values instanceof boolean[];
            case STRING -> values instanceof List<?> l && l.stream().allMatch(String.class::isInstance);
            case ARRAY -> values instanceof List<?> l && l.stream().allMatch(GgufArray.class::isInstance);
        };
        if (!ok) {
            throw new IllegalArgumentException("a %s cannot be stored as a GGUF array of %s (or a value is out of range)"
                    .formatted(values.getClass().getSimpleName(), element));
        }
    }

    /** Encodes a value (without its type id) of an already checked scalar type. */
    static void encode(LittleEndianBytes out, GgufValueType type, Object value) {
        switch (type) {
            case UINT8, INT8, BOOL -> out.u8(type == GgufValueType.BOOL ? ((Boolean) value ? 1 : 0) : asLong(value).intValue());
            case UINT16, INT16 -> out.u16(asLong(value).intValue());
            case UINT32, INT32 -> out.u32(asLong(value).intValue());
            case UINT64, INT64 -> out.u64(asLong(value));
            case FLOAT32 -> out.f32(((Number) value).floatValue());
            case FLOAT64 -> out.f64(((Number) value).doubleValue());
            case STRING -> out.string((String) value);
            case ARRAY -> encodeArray(out, (GgufArray) value);
        }
    }

    /** Encodes an array: element type id, count, elements. */
    static void encodeArray(LittleEndianBytes out, GgufArray array) {
        GgufValueType element = array.elementType();
        out.u32(element.id());
        switch (array.values()) {
            case int[] a -> {
                out.u64(a.length);
                for (int v : a) {
                    switch (element) {
                        case UINT8, INT8 -> out.u8(v);
                        case UINT16, INT16 -> out.u16(v);
                        default -> out.u32(v);
                    }
                }
            }
            case long[] a -> {
                out.u64(a.length);
                for (long v : a) {
                    out.u64(v);
                }
            }
            case float[] a -> {
                out.u64(a.length);
                for (float v : a) {
                    out.f32(v);
                }
            }
            case double[] a -> {
                out.u64(a.length);
                for (double v : a) {
                    out.f64(v);
                }
            }
            case boolean[] a -> {
                out.u64(a.length);
                for (boolean v : a) {
                    out.u8(v ? 1 : 0);
                }
            }
            case List<?> list -> {
                out.u64(list.size());
                for (Object v : list) {
                    if (element == GgufValueType.STRING) {
                        out.string((String) v);
                    } else {
                        encodeArray(out, (GgufArray) v);
                    }
                }
            }
            default -> throw new IllegalStateException("unchecked array " + array.values().getClass());
        }
    }

    private static Long asLong(Object value) {
        return ((Number) value).longValue();
    }

    private static boolean inRange(Object value, long min, long max) {
        if (!(value instanceof Integer || value instanceof Long)) {
            return false;
        }
        long v = ((Number) value).longValue();
        return v >= min && v <= max;
    }

    private static boolean intsInRange(Object values, int min, int max) {
        if (!(values instanceof int[] a)) {
            return false;
        }
        for (int v : a) {
            if (v < min || v > max) {
                return false;
            }
        }
        return true;
    }
}
