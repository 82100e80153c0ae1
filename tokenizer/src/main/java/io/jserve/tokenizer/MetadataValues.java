package io.jserve.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Typed, validated reads from GGUF metadata given as a plain map (the shapes the GGUF reader
 * returns: Integer/Long, Float, Boolean, String, {@code List<String>}, {@code int[]}, {@code float[]}).
 * A present key with the wrong shape is an error that names the key; a missing key is empty.
 */
final class MetadataValues {
    private final Map<String, Object> map;

    MetadataValues(Map<String, Object> map) {
        this.map = Objects.requireNonNull(map, "metadata");
    }

    Optional<String> string(String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof String s) {
            return Optional.of(s);
        }
        throw wrongType(key, "a string", v);
    }

    String requireString(String key) {
        return string(key).orElseThrow(() -> missing(key));
    }

    Optional<Boolean> bool(String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        throw wrongType(key, "a boolean", v);
    }

    /** An unsigned 32-bit id: GGUF stores token ids as uint32, so -1 as Integer means 0xFFFFFFFF. */
    Optional<Long> uint32(String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Integer i) {
            return Optional.of(Integer.toUnsignedLong(i));
        }
        if (v instanceof Long l) {
            return Optional.of(l);
        }
        throw wrongType(key, "an integer", v);
    }

    OptionalInt int32(String key) {
        Object v = map.get(key);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (v instanceof Integer || v instanceof Long) {
            return OptionalInt.of(((Number) v).intValue());
        }
        throw wrongType(key, "an integer", v);
    }

    Optional<List<String>> strings(String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String)) {
                    throw wrongType(key, "an array of strings", o);
                }
            }
            @SuppressWarnings("unchecked")
            List<String> strings = (List<String>) list;
            return Optional.of(strings);
        }
        throw wrongType(key, "an array of strings", v);
    }

    Optional<int[]> ints(String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof int[] a) {
            return Optional.of(a);
        }
        throw wrongType(key, "an int32 array", v);
    }

    /** Scores: float32 as llama.cpp expects, int32 accepted as it also is. */
    Optional<float[]> floats(String key) {
        Object v = map.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof float[] a) {
            return Optional.of(a);
        }
        if (v instanceof int[] a) {
            float[] f = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                f[i] = a[i];
            }
            return Optional.of(f);
        }
        throw wrongType(key, "a float32 array", v);
    }

    private static IllegalArgumentException missing(String key) {
        return new IllegalArgumentException("GGUF metadata has no '" + key + "'");
    }

    private static IllegalArgumentException wrongType(String key, String expected, Object actual) {
        return new IllegalArgumentException("GGUF metadata '" + key + "' must be " + expected
                + ", found " + actual.getClass().getSimpleName());
    }
}
