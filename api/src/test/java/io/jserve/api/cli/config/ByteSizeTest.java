package io.jserve.api.cli.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ByteSizeTest {
    @Test
    void parsesPlainAndSuffixedCounts() {
        assertEquals(1073741824L, ByteSize.parse("1073741824"));
        assertEquals(512L << 20, ByteSize.parse("512M"));
        assertEquals(4L << 30, ByteSize.parse("4GiB"));
        assertEquals(3L << 29, ByteSize.parse("1.5g"));
        assertEquals(2048, ByteSize.parse("2 KB"));
        assertEquals(0, ByteSize.parse("0"));
    }

    @Test
    void refusesWhatIsNotACount() {
        assertEquals("'lots' is not a byte count (e.g. 1073741824, 512M, 4GiB)",
                assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("lots")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("-5"));
        assertThrows(IllegalArgumentException.class, () -> ByteSize.parse("99999999999T"));
    }
}
