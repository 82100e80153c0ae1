package io.jserve.kernels.cpu;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Set;

/**
 * The optional C kernel for Q8_0 x 8-bit activations ({@code src/main/c/q8_0_avx512.c}, AVX-512 VNNI), called
 * through the FFM API once per matmul and worker. The build compiles it only where gcc exists; at run time it is
 * used only on Linux x86-64 CPUs with the instructions it was compiled for. Otherwise {@link #available()} is
 * false, {@link #status()} says why, and the backend uses {@link Q8_0Int8Kernel}, which gives the same bits.
 *
 * <p>Why C: the Vector API has no 8-bit dot product instruction ({@code vpdpbusd}) and no prefetch; with them a
 * batched decode step runs about twice as fast (see {@code research/cpu-kernels.md}).
 */
final class NativeQ8Kernel {
    /** Where the build puts the library inside the jar. */
    static final String RESOURCE = "/io/jserve/kernels/cpu/native/libjserve_q8_0_avx512.so";
    private static final int ABI_VERSION = 3;
    /**
     * From this many tokens on, the activations are packed so that vector lanes are tokens (16 per tile) and the
     * batched kernel needs no horizontal sums: 1.6x faster at 16 tokens, 2x at 64 (one core, in cache); below
     * it the per-token kernel wins, since a tile would be mostly empty.
     */
    static final int PACKED_MIN_TOKENS = 12;
    private static final Set<String> CPU_FLAGS = Set.of("avx512f", "avx512bw", "avx512vl", "avx512_vnni", "f16c", "fma");

    private static final MethodHandle MATMUL;
    private static final MethodHandle MATMUL_PACKED;
    private static final MethodHandle PACK;
    private static final MethodHandle PACKED_BYTES;
    private static final MethodHandle READ_XOR;
    private static final String STATUS;

    static {
        MethodHandle[] handles = new MethodHandle[5];
        String status;
        try {
            String why = unsupportedReason();
            if (why == null) {
                handles = load();
                status = "native AVX-512 VNNI";
            } else {
                status = why;
            }
        } catch (Throwable e) { // a failed load must not take the backend down: the Java kernel gives the same bits
            status = "native kernel failed to load: " + e;
        }
        MATMUL = handles[0];
        MATMUL_PACKED = handles[1];
        PACK = handles[2];
        PACKED_BYTES = handles[3];
        READ_XOR = handles[4];
        STATUS = status;
    }

    private NativeQ8Kernel() {
    }

    /** Whether the native kernel is loaded and usable on this CPU. */
    static boolean available() {
        return MATMUL != null;
    }

    /** Whether the build packaged the library (false where gcc was missing). */
    static boolean packaged() {
        return NativeQ8Kernel.class.getResource(RESOURCE) != null;
    }

    /** "native AVX-512 VNNI", or why the native kernel is not used. */
    static String status() {
        return STATUS;
    }

    /** XOR of the 64-byte lines of {@code s} (64-byte aligned, a multiple of 256 bytes long): a streaming read. */
    static long readXor(MemorySegment s) {
        try {
            return (long) READ_XOR.invokeExact(s, s.byteSize());
        } catch (Throwable e) {
            throw new IllegalStateException("native read failed", e);
        }
    }

    /** Bytes of the packed form of {@code tokens} rows of {@code blocks} blocks. */
    static long packedBytes(int tokens, int blocks) {
        try {
            return (long) PACKED_BYTES.invokeExact(tokens, blocks);
        } catch (Throwable e) {
            throw new IllegalStateException("native Q8_0 kernel failed", e);
        }
    }

    /** Packs the quantized activations for the batched kernel into {@code packed} (64-byte aligned). */
    static void pack(Q8Activations a, MemorySegment packed) {
        try {
            PACK.invokeExact(a.quants(), a.scales(), a.sums(), a.tokens(), a.blocks(), packed);
        } catch (Throwable e) {
            throw new IllegalStateException("native Q8_0 kernel failed", e);
        }
    }

    /**
     * {@code out[t, r]} for rows {@code [r0, r1)} and every quantized token, as {@link Q8_0Int8Kernel#rowRange};
     * with {@code packed} (made by {@link #pack}) the batched kernel runs, else the per-token one. Same bits.
     */
    static void rowRange(MemorySegment w, long rowBytes, int r0, int r1, Q8Activations a, MemorySegment packed,
                         MemorySegment out, int outCols) {
        try {
            if (packed != null) {
                MATMUL_PACKED.invokeExact(w, rowBytes, r0, r1, a.blocks(), packed, a.tokens(), out, (long) outCols);
            } else {
                MATMUL.invokeExact(w, rowBytes, r0, r1, a.blocks(), a.quants(), a.scales(), a.sums(), a.tokens(),
                        out, (long) outCols);
            }
        } catch (Throwable e) {
            throw new IllegalStateException("native Q8_0 kernel failed", e);
        }
    }

    private static String unsupportedReason() throws IOException {
        if (Boolean.getBoolean("jserve.cpu.noNative")) {
            return "native kernel disabled (-Djserve.cpu.noNative=true)";
        }
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "no native kernel for " + os + "/" + arch;
        }
        if (!packaged()) {
            return "no native kernel in this build (gcc was not found at build time)";
        }
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return "cannot read /proc/cpuinfo to check for AVX-512 VNNI";
        }
        Set<String> flags = Set.of();
        for (String line : Files.readAllLines(cpuinfo)) {
            if (line.startsWith("flags")) {
                flags = Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
                break;
            }
        }
        for (String needed : CPU_FLAGS) {
            if (!flags.contains(needed)) {
                return "CPU lacks " + needed + ": native kernel not used";
            }
        }
        return null;
    }

    private static MethodHandle[] load() throws Throwable {
        Path file = Files.createTempFile("jserve-q8_0-", ".so");
        file.toFile().deleteOnExit();
        try (InputStream in = NativeQ8Kernel.class.getResourceAsStream(RESOURCE)) {
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        }
        SymbolLookup lib = SymbolLookup.libraryLookup(file, Arena.global());
        Linker linker = Linker.nativeLinker();
        MethodHandle version = linker.downcallHandle(lib.findOrThrow("jserve_q8_0_abi_version"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT));
        int v = (int) version.invokeExact();
        if (v != ABI_VERSION) {
            throw new IllegalStateException("native kernel ABI " + v + ", expected " + ABI_VERSION);
        }
        ValueLayout ptr = ValueLayout.ADDRESS;
        ValueLayout i32 = ValueLayout.JAVA_INT;
        ValueLayout i64 = ValueLayout.JAVA_LONG;
        return new MethodHandle[] {
            linker.downcallHandle(lib.findOrThrow("jserve_q8_0_matmul"),
                    FunctionDescriptor.ofVoid(ptr, i64, i32, i32, i32, ptr, ptr, ptr, i32, ptr, i64)),
            linker.downcallHandle(lib.findOrThrow("jserve_q8_0_matmul_packed"),
                    FunctionDescriptor.ofVoid(ptr, i64, i32, i32, i32, ptr, i32, ptr, i64)),
            linker.downcallHandle(lib.findOrThrow("jserve_q8_0_pack"),
                    FunctionDescriptor.ofVoid(ptr, ptr, ptr, i32, i32, ptr)),
            linker.downcallHandle(lib.findOrThrow("jserve_q8_0_packed_bytes"),
                    FunctionDescriptor.of(i64, i32, i32)),
            linker.downcallHandle(lib.findOrThrow("jserve_read_xor"), FunctionDescriptor.of(i64, ptr, i64)),
        };
    }
}
