package io.jserve.kernels.cpu;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class NativeReadProbeTest {
    /** The C read returns the sum of the 8 lanes of the XOR of all 64-byte lines: checked against Java. */
    @Test
    void readsEveryLine() {
        Q8Int8Test.assumeNative();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(256 * 40, 64);
            for (long i = 0; i < s.byteSize() / 8; i++) {
                s.setAtIndex(ValueLayout.JAVA_LONG, i, i * 0x9E3779B97F4A7C15L);
            }
            long[] lanes = new long[8];
            for (long i = 0; i < s.byteSize() / 8; i++) {
                lanes[(int) (i % 8)] ^= s.getAtIndex(ValueLayout.JAVA_LONG, i);
            }
            long want = 0;
            for (long lane : lanes) {
                want += lane;
            }
            assertEquals(want, NativeReadProbe.read(s));
            assertThrows(IllegalArgumentException.class, () -> NativeReadProbe.read(s.asSlice(32, 256))); // not 64-byte aligned
            assertThrows(IllegalArgumentException.class, () -> NativeReadProbe.read(s.asSlice(0, 100)));
        }
    }
}
