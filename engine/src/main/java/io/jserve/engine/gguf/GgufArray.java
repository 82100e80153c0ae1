package io.jserve.engine.gguf;

import java.util.Objects;

/**
 * A typed array value for {@link GgufWriter}: the Java shape of an array ({@code int[]}, {@code List<String>},
 * …) does not say which GGUF element type to store (UINT8 or INT32?), so the writer takes both.
 *
 * @param elementType the GGUF type of the elements
 * @param values      {@code int[]} for integer types of up to 32 bits, {@code long[]} for 64-bit integers,
 *                    {@code float[]}, {@code double[]}, {@code boolean[]}, {@code List<String>} for STRING, and
 *                    a {@code List<GgufArray>} for nested arrays (element type ARRAY)
 */
public record GgufArray(GgufValueType elementType, Object values) {
    public GgufArray {
        Objects.requireNonNull(elementType, "elementType");
        Objects.requireNonNull(values, "values");
        GgufValueEncoder.checkArray(elementType, values);
    }
}
