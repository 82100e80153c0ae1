package io.jserve.engine.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each malformation named in the reader's contract fails with a message naming the file and the problem. */
class GgufFormatErrorsTest {
    private static final Path NAME = Path.of("crafted.gguf");

    @TempDir
    Path dir;

    @Test
    void wrongMagic() {
        LittleEndianBytes b = new LittleEndianBytes().u32(0x4c4d4747).u32(3).u64(0).u64(0);
        assertFails(b, "crafted.gguf: not a GGUF file: wrong magic 0x4c4d4747");
    }

    @Test
    void versionOneIsUnsupportedAndUnknownVersionsAreNamed() {
        assertFails(header(1, 0, 0), "GGUF version 1 is not supported");
        assertFails(header(4, 0, 0), "unknown GGUF version 4");
    }

    @Test
    void versionTwoIsAccepted() {
        LittleEndianBytes b = header(2, 0, 1).string("k").u32(GgufValueType.UINT64.id()).u64(7);
        GgufFile g = GgufFile.parse(NAME, MemorySegment.ofArray(bytes(b)));
        assertEquals(2, g.version());
        assertEquals(7L, g.metadata().get("k"));
    }

    @Test
    void truncatedHeader() {
        LittleEndianBytes b = new LittleEndianBytes().u32(GgufHeaderParser.MAGIC).u32(3).u32(0);
        assertFails(b, "truncated tensor count at offset 8: needs 8 bytes, only 4 left");
    }

    @Test
    void absurdCountsAndLengthsFailBeforeAllocating() {
        assertFails(header(3, 1L << 40, 0), "tensor count 1099511627776 at offset 8 is larger than the rest of the file");
        assertFails(header(3, 0, -1), "metadata count 18446744073709551615 at offset 16 is larger than the rest");
        assertFails(header(3, 0, 1).u64(1L << 62).u64(0), "metadata key #0 length 4611686018427387904 at offset 24 is larger");
        LittleEndianBytes array = header(3, 0, 1).string("big").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.INT32.id()).u64(1L << 40).u32(0);
        assertFails(array, "array length of big 1099511627776 at offset 43 is larger than the rest of the file (4 bytes)");
        LittleEndianBytes strings = header(3, 0, 1).string("s").u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.STRING.id()).u64(2).u64(1L << 50);
        assertFails(strings, "array length of s 2 at offset 41 is larger than the rest of the file (8 bytes)");
        LittleEndianBytes str = header(3, 0, 1).string("s").u32(GgufValueType.STRING.id()).u64(100).u32(0);
        assertFails(str, "value of s length 100 at offset 37 is larger than the rest of the file (4 bytes)");
    }

    @Test
    void unknownValueTypeAndTooDeepNesting() {
        assertFails(header(3, 0, 1).string("k").u32(13).u32(0), "unknown metadata value type 13 for metadata key k");
        LittleEndianBytes deep = header(3, 0, 1).string("deep");
        deep.u32(GgufValueType.ARRAY.id());
        for (int i = 0; i < 40; i++) {
            deep.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        deep.u32(GgufValueType.INT8.id()).u64(0);
        assertFails(deep, "is nested more than 16 levels deep");
    }

    @Test
    void alignmentMustBeAnIntegerPowerOfTwo() {
        assertFails(header(3, 0, 1).string("general.alignment").u32(GgufValueType.UINT32.id()).u32(48),
                "general.alignment = 48 is not a power of two");
        assertFails(header(3, 0, 1).string("general.alignment").u32(GgufValueType.UINT32.id()).u32(0),
                "general.alignment = 0 is not a power of two");
        assertFails(header(3, 0, 1).string("general.alignment").u32(GgufValueType.FLOAT32.id()).f32(32),
                "general.alignment must be an integer, found FLOAT32");
    }

    @Test
    void duplicateKeysAndTensorNames() {
        LittleEndianBytes keys = header(3, 0, 2).string("k").u32(GgufValueType.UINT8.id()).u8(1)
                .string("k").u32(GgufValueType.UINT8.id()).u8(2);
        assertFails(keys, "duplicate metadata key k");
        LittleEndianBytes tensors = header(3, 2, 0);
        tensor(tensors, "t", 0, 8);
        tensor(tensors, "t", 0, 8);
        assertFails(padded(tensors, 64), "duplicate tensor name t");
    }

    @Test
    void badTensorInfos() {
        LittleEndianBytes type = header(3, 1, 0).string("w").u32(1).u64(8).u32(99).u64(0);
        assertFails(padded(type, 32), "tensor w has unknown type id 99");
        LittleEndianBytes dims = header(3, 1, 0).string("w").u32(5).u64(1).u64(1).u64(1).u64(1).u64(1).u32(0).u64(0);
        assertFails(padded(dims, 32), "tensor w has 5 dimensions, expected 1 to 4");
        LittleEndianBytes zero = header(3, 1, 0).string("w").u32(2).u64(4).u64(0).u32(0).u64(0);
        assertFails(padded(zero, 32), "tensor w has dimension 0 in [4, 0], expected at least 1");
        LittleEndianBytes block = header(3, 1, 0).string("q").u32(1).u64(31).u32(8).u64(0);
        assertFails(padded(block, 64), "tensor q (type Q8_0, shape [31], offset 0) is invalid");
        LittleEndianBytes overflow = header(3, 1, 0).string("w").u32(2).u64(1L << 40).u64(1L << 40).u32(0).u64(0);
        assertFails(padded(overflow, 32), "overflows");
    }

    @Test
    void tensorPlacement() {
        LittleEndianBytes misaligned = header(3, 1, 0);
        tensor(misaligned, "t", 4, 2);
        assertFails(padded(misaligned, 64), "tensor t data offset 4 is not aligned to 32");
        LittleEndianBytes outside = header(3, 1, 0);
        tensor(outside, "t", 32, 8);
        assertFails(padded(outside, 48), "tensor t (32 bytes at data offset 32) runs past the end of the file: "
                + "truncated data, the data section has 48 bytes");
        LittleEndianBytes overlap = header(3, 2, 0);
        tensor(overlap, "a", 0, 16);
        tensor(overlap, "b", 32, 16);
        assertFails(padded(overlap, 96), "tensor b at data offset 32 overlaps tensor a (64 bytes at 0)");
    }

    @Test
    void truncatedDataOnDiskNamesTheFile() throws IOException {
        LittleEndianBytes b = header(3, 1, 0);
        tensor(b, "t", 0, 16);
        byte[] full = bytes(padded(b, 64));
        Path p = dir.resolve("cut.gguf");
        Files.write(p, java.util.Arrays.copyOf(full, full.length - 1));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.open(p));
        assertTrue(e.getMessage().startsWith(p + ": tensor t (64 bytes at data offset 0) runs past the end"), e.getMessage());
        Path missing = dir.resolve("missing.gguf");
        GgufFormatException m = assertThrows(GgufFormatException.class, () -> GgufFile.open(missing));
        assertEquals(missing + ": no such file", m.getMessage());
        Path empty = dir.resolve("empty.gguf");
        Files.write(empty, new byte[0]);
        GgufFormatException z = assertThrows(GgufFormatException.class, () -> GgufFile.open(empty));
        assertTrue(z.getMessage().contains("truncated header magic at offset 0"), z.getMessage());
    }

    private static LittleEndianBytes header(int version, long tensors, long kvs) {
        return new LittleEndianBytes().u32(GgufHeaderParser.MAGIC).u32(version).u64(tensors).u64(kvs);
    }

    /** An F32 tensor info of {@code n} values at {@code offset}. */
    private static void tensor(LittleEndianBytes b, String name, long offset, long n) {
        b.string(name).u32(1).u64(n).u32(0).u64(offset);
    }

    /** Pads to the 32-byte data offset, then adds {@code dataBytes} of data. */
    private static LittleEndianBytes padded(LittleEndianBytes b, int dataBytes) {
        return b.zeros((int) (GgufHeaderParser.alignUp(b.size(), 32) - b.size()) + dataBytes);
    }

    private static byte[] bytes(LittleEndianBytes b) {
        byte[] out = new byte[b.size()];
        b.toByteBuffer().get(out);
        return out;
    }

    private static void assertFails(LittleEndianBytes b, String expectedPart) {
        GgufFormatException e = assertThrows(GgufFormatException.class,
                () -> GgufFile.parse(NAME, MemorySegment.ofArray(bytes(b))));
        assertTrue(e.getMessage().startsWith("crafted.gguf: "), e.getMessage());
        assertTrue(e.getMessage().contains(expectedPart), "expected '" + expectedPart + "' in: " + e.getMessage());
    }
}
