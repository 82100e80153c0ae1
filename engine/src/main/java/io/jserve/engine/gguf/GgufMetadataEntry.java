package io.jserve.engine.gguf;

import java.util.Objects;

/**
 * One decoded metadata key/value pair, with the GGUF types it was stored as and where its encoded value
 * lies in the file (so a writer can copy it byte for byte, keeping types the Java value shape loses, such
 * as UINT8 versus INT32 arrays).
 *
 * @param key         the key, e.g. {@code llama.block_count}
 * @param type        the value's GGUF type
 * @param elementType for an ARRAY, the type of its elements; null otherwise
 * @param value       the decoded value, shaped as {@link GgufFile#metadata()} documents
 * @param rawOffset   file offset of the encoded value's type id
 * @param rawLength   bytes from the type id to the end of the value
 */
record GgufMetadataEntry(String key, GgufValueType type, GgufValueType elementType, Object value,
                         long rawOffset, long rawLength) {
    GgufMetadataEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("key %s: element type %s does not fit value type %s"
                    .formatted(key, elementType, type));
        }
    }
}
