package io.jserve.kernels.cpu;

import java.lang.foreign.MemorySegment;

/**
 * A streaming read of native memory by the C library of the native Q8_0 kernel (AVX-512 loads, no bounds
 * checks), for measuring the memory bandwidth that a memory-bound decode step is compared with: a Java loop
 * reads about a third slower than C on this machine (bounds checks, no unrolling across loads), which would
 * understate the floor. Available exactly when {@link NativeQ8Kernel#available()} is.
 */
public final class NativeReadProbe {
    private NativeReadProbe() {
    }

    /** Whether the C library is loaded. */
    public static boolean available() {
        return NativeQ8Kernel.available();
    }

    /**
     * Reads every byte of {@code s} and returns the XOR of its 64-byte lines (so the read cannot be dropped).
     *
     * @throws IllegalArgumentException unless {@code s} is native, 64-byte aligned and a multiple of 256 bytes
     * @throws IllegalStateException    when the library is not loaded
     */
    public static long read(MemorySegment s) {
        if (!available()) {
            throw new IllegalStateException("native read probe unavailable: " + NativeQ8Kernel.status());
        }
        if (!s.isNative() || s.address() % 64 != 0 || s.byteSize() % 256 != 0) {
            throw new IllegalArgumentException("the probe reads native, 64-byte aligned segments of 256-byte lines");
        }
        return NativeQ8Kernel.readXor(s);
    }
}
