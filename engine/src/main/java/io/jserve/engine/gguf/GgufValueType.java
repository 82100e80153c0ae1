package io.jserve.engine.gguf;

/**
 * The metadata value types of GGUF ({@code enum gguf_type} in ggml), with their on-disk ids and, for the
 * fixed-size ones, their byte widths.
 */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** A uint64 byte length followed by that many UTF-8 bytes. */
    STRING(8, -1),
    /** A uint32 element type, a uint64 count, then the elements. */
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int width;

    GgufValueType(int id, int width) {
        this.id = id;
        this.width = width;
    }

    /** The id GGUF stores for this type. */
    public int id() {
        return id;
    }

    /**
     * Bytes taken by one value on disk for the fixed-size types; for STRING and ARRAY the smallest possible
     * encoding (an empty string: 8 bytes; an empty array: 12 bytes), which bounds element counts before
     * anything is allocated.
     */
    public int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> width;
        };
    }

    /** True for the integer types (UINT8 through INT64, not BOOL). */
    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }

    /** The type with GGUF id {@code id}, or null when the id is unknown. */
    static GgufValueType fromIdOrNull(long id) {
        // ids are dense 0..12 and ordinal order matches id order
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
