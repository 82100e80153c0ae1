package io.jserve.engine.gguf;

import io.jserve.kernels.GgmlType;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and validates the header of a GGUF v2/v3 file (ggml {@code docs/gguf.md}): magic, version, counts,
 * metadata, tensor infos and the data section's position. Every rule a later reader relies on is checked
 * here, so that once a {@link GgufFile} exists each of its tensors lies inside the file, aligned, without
 * overlapping another.
 */
final class GgufHeaderParser {
    /** "GGUF" read as a little-endian uint32. */
    static final int MAGIC = 0x46554747;
    static final String ALIGNMENT_KEY = "general.alignment";
    static final long DEFAULT_ALIGNMENT = 32;
    /** Smallest tensor info: name length 8, n_dims 4, one dim 8, type 4, offset 8. */
    private static final int MIN_TENSOR_INFO_BYTES = 32;
    /** Smallest metadata entry: key length 8, value type 4, a one-byte value. */
    private static final int MIN_ENTRY_BYTES = 13;

    private GgufHeaderParser() {
    }

    static GgufHeader parse(Path file, MemorySegment data) {
        GgufCursor in = new GgufCursor(file, data);
        int magic = in.i32("header magic");
        if (magic != MAGIC) {
            throw in.error("not a GGUF file: wrong magic 0x%08x (expected \"GGUF\")".formatted(magic));
        }
        long version = in.u32("header version");
        if (version == 1) {
            throw in.error("GGUF version 1 is not supported (only versions 2 and 3)");
        }
        if (version != 2 && version != 3) {
            throw in.error("unknown GGUF version %d (supported: 2 and 3; a big-endian file reads as a huge number)"
                    .formatted(version));
        }
        int tensorCount = in.count("tensor count", MIN_TENSOR_INFO_BYTES);
        int kvCount = in.count("metadata count", MIN_ENTRY_BYTES);

        Map<String, GgufMetadataEntry> entries = new LinkedHashMap<>(kvCount * 2);
        for (int i = 0; i < kvCount; i++) {
            GgufMetadataEntry e = entry(in, i);
            if (entries.putIfAbsent(e.key(), e) != null) {
                throw in.error("duplicate metadata key " + e.key());
            }
        }
        long alignment = alignment(in, entries.get(ALIGNMENT_KEY));

        List<GgufTensorInfo> tensors = new ArrayList<>(tensorCount);
        Map<String, GgufTensorInfo> byName = new HashMap<>(tensorCount * 2);
        for (int i = 0; i < tensorCount; i++) {
            GgufTensorInfo t = tensorInfo(in, i);
            if (byName.putIfAbsent(t.name(), t) != null) {
                throw in.error("duplicate tensor name " + t.name());
            }
            tensors.add(t);
        }
        long dataOffset = alignUp(in.position(), alignment);
        checkTensorPlacement(in, tensors, alignment, dataOffset);
        return new GgufHeader((int) version, alignment, dataOffset, Collections.unmodifiableMap(entries),
                List.copyOf(tensors));
    }

    private static GgufMetadataEntry entry(GgufCursor in, int index) {
        String key = in.string("metadata key #" + index);
        long rawOffset = in.position();
        GgufValueType type = GgufValueReader.type(in, "metadata key " + key);
        GgufValueType element = null;
        if (type == GgufValueType.ARRAY) {
            // peek the element type for the entry; the value reader reads it again
            long at = in.position();
            element = GgufValueReader.type(in, "array element type of " + key);
            in.seek(at);
        }
        Object value = GgufValueReader.value(in, type, key, 0);
        return new GgufMetadataEntry(key, type, element, value, rawOffset, in.position() - rawOffset);
    }

    private static long alignment(GgufCursor in, GgufMetadataEntry entry) {
        if (entry == null) {
            return DEFAULT_ALIGNMENT;
        }
        if (!entry.type().isInteger()) {
            throw in.error("%s must be an integer, found %s".formatted(ALIGNMENT_KEY, entry.type()));
        }
        long a = ((Number) entry.value()).longValue();
        if (a <= 0 || Long.bitCount(a) != 1 || a > (1L << 30)) {
            throw in.error("%s = %s is not a power of two (up to 2^30)"
                    .formatted(ALIGNMENT_KEY, Long.toUnsignedString(a)));
        }
        return a;
    }

    private static GgufTensorInfo tensorInfo(GgufCursor in, int index) {
        String name = in.string("name of tensor #" + index);
        long nDims = in.u32("dimension count of tensor " + name);
        if (nDims < 1 || nDims > GgufTensorInfo.MAX_DIMS) {
            throw in.error("tensor %s has %d dimensions, expected 1 to %d"
                    .formatted(name, nDims, GgufTensorInfo.MAX_DIMS));
        }
        long[] dims = new long[(int) nDims];
        for (int d = 0; d < nDims; d++) {
            dims[d] = in.i64("dimensions of tensor " + name);
            if (dims[d] < 1) {
                throw in.error("tensor %s has dimension %s in %s, expected at least 1"
                        .formatted(name, Long.toUnsignedString(dims[d]), Arrays.toString(dims)));
            }
        }
        int typeId = in.i32("type of tensor " + name);
        GgmlType type;
        try {
            type = GgmlType.fromId(typeId);
        } catch (IllegalArgumentException e) {
            throw in.error("tensor %s has unknown type id %d".formatted(name, typeId));
        }
        long offset = in.i64("offset of tensor " + name);
        try {
            return GgufTensorInfo.of(name, dims, type, offset);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw in.error("tensor %s (type %s, shape %s, offset %s) is invalid: %s".formatted(
                    name, type, Arrays.toString(dims), Long.toUnsignedString(offset), e.getMessage()));
        }
    }

    /** Each tensor aligned, inside the data section, and not overlapping the next one by offset. */
    private static void checkTensorPlacement(GgufCursor in, List<GgufTensorInfo> tensors, long alignment,
                                             long dataOffset) {
        if (tensors.isEmpty()) {
            return; // a vocab-only file may end before the padded data offset
        }
        long fileSize = in.data().byteSize();
        if (dataOffset > fileSize) {
            throw in.error("truncated data: the data section would start at offset %d but the file has %d bytes"
                    .formatted(dataOffset, fileSize));
        }
        long available = fileSize - dataOffset;
        for (GgufTensorInfo t : tensors) {
            if (t.offset() % alignment != 0) {
                throw in.error("tensor %s data offset %s is not aligned to %d"
                        .formatted(t.name(), Long.toUnsignedString(t.offset()), alignment));
            }
            if (t.offset() > available || t.byteSize() > available - t.offset()) {
                throw in.error(("tensor %s (%d bytes at data offset %s) runs past the end of the file: truncated data, "
                        + "the data section has %d bytes").formatted(t.name(), t.byteSize(),
                        Long.toUnsignedString(t.offset()), available));
            }
        }
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GgufTensorInfo prev = byOffset.get(i - 1);
            GgufTensorInfo cur = byOffset.get(i);
            if (cur.offset() < prev.offset() + prev.byteSize()) {
                throw in.error("tensor %s at data offset %d overlaps tensor %s (%d bytes at %d)"
                        .formatted(cur.name(), cur.offset(), prev.name(), prev.byteSize(), prev.offset()));
            }
        }
    }

    static long alignUp(long offset, long alignment) {
        return (offset + alignment - 1) & -alignment;
    }
}
