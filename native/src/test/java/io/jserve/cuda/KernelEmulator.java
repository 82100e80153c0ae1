package io.jserve.cuda;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Builds and runs the CPU emulator drivers of {@code src/test/emu} (see {@code cuda_emu.h}): the row kernels'
 * source compiled by the host's C++ compiler, each CUDA thread a fiber. Lets every machine check a kernel's
 * logic, though only a GPU can check its speed and memory ordering. Tests skip, saying why, without {@code g++}
 * ({@code JSERVE_CXX} picks another compiler).
 */
final class KernelEmulator {
    private static final Path SOURCES = Path.of("src/test/emu");
    private static final Path BUILD = Path.of("target/emu");
    private static final java.util.Set<String> BUILT = new java.util.HashSet<>();
    /** Null until checked, then empty when a compiler runs, else why not. */
    private static String noCompiler;

    private KernelEmulator() {
    }

    /** The executable of driver {@code name} ({@code src/test/emu/NAME_main.cpp}), built once per test run. */
    static synchronized Path driver(String name) {
        Assumptions.assumeTrue(Files.isDirectory(SOURCES),
                () -> "emulator sources not found from " + Path.of("").toAbsolutePath() + ", skipping");
        Path exe = BUILD.resolve(name);
        if (BUILT.contains(name)) {
            return exe;
        }
        String cxx = System.getenv().getOrDefault("JSERVE_CXX", "g++");
        if (noCompiler == null) {
            try {
                Files.createDirectories(BUILD);
                run(List.of(cxx, "--version"), 30, null);
                noCompiler = "";
            } catch (IOException | CompilerMissing e) {
                noCompiler = "no C++ compiler (" + cxx + "), skipping the kernel emulator: " + e.getMessage();
            }
        }
        Assumptions.assumeTrue(noCompiler.isEmpty(), noCompiler);
        try {
            // no _FORTIFY_SOURCE: its longjmp check refuses the jumps between fiber stacks
            run(List.of(cxx, "-O2", "-std=c++17", "-U_FORTIFY_SOURCE", "-I" + SOURCES, "-o", exe.toString(),
                    SOURCES.resolve(name + "_main.cpp").toString()), 300, null);
        } catch (IOException | CompilerMissing e) {
            throw new AssertionError("the emulator driver " + name + " did not compile: " + e.getMessage(), e);
        }
        BUILT.add(name);
        return exe;
    }

    /**
     * Builds {@code src/test/emu/NAME.cpp} as a shared library with soname {@code soname} (once per test run) and
     * returns its path; skips the calling test, saying why, without the sources or a compiler.
     */
    static synchronized Path sharedLibrary(String name, String soname) {
        Assumptions.assumeTrue(Files.isDirectory(SOURCES),
                () -> "emulator sources not found from " + Path.of("").toAbsolutePath() + ", skipping");
        Path lib = BUILD.resolve(name).resolve(soname);
        if (BUILT.contains(name)) {
            return lib;
        }
        String cxx = System.getenv().getOrDefault("JSERVE_CXX", "g++");
        try {
            Files.createDirectories(lib.getParent());
            run(List.of(cxx, "-O2", "-std=c++17", "-U_FORTIFY_SOURCE", "-fPIC", "-shared", "-Wl,-soname," + soname,
                    "-I" + SOURCES, "-o", lib.toString(), SOURCES.resolve(name + ".cpp").toString()), 600, null);
        } catch (CompilerMissing e) {
            Assumptions.abort("no C++ compiler (" + cxx + "): " + e.getMessage());
        } catch (IOException e) {
            throw new AssertionError("the emulator library " + name + " did not compile: " + e.getMessage(), e);
        }
        BUILT.add(name);
        return lib;
    }

    /**
     * Runs a driver with arguments, its threads in a new random order every round between barriers (seeded by
     * {@code seed}, see cuda_emu.h); fails with its output unless it exits 0.
     */
    static void runDriver(Path exe, long seed, String... args) {
        List<String> command = new ArrayList<>();
        command.add(exe.toString());
        command.addAll(List.of(args));
        try {
            run(command, 600, "shuffle:" + Math.floorMod(seed, 1_000_000_007L));
        } catch (IOException | CompilerMissing e) {
            throw new AssertionError(exe + " failed: " + e.getMessage(), e);
        }
    }

    private static void run(List<String> command, int timeoutSeconds, String schedule)
            throws IOException, CompilerMissing {
        Process p;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (schedule != null) {
                builder.environment().put("EMU_SCHEDULE", schedule);
            }
            p = builder.start();
        } catch (IOException e) {
            throw new CompilerMissing(e.getMessage());
        }
        try {
            String output = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(command.getFirst() + " ran over " + timeoutSeconds + " s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(command.getFirst() + " exited " + p.exitValue() + ":\n" + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The program could not be started at all. */
    private static final class CompilerMissing extends Exception {
        CompilerMissing(String message) {
            super(message);
        }
    }
}
