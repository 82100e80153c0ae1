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
    static Path driver(String name) {
        return build(name, BUILD.resolve(name), name + "_main.cpp", List.of());
    }

    /**
     * Builds {@code src/test/emu/NAME.cpp} as a shared library with soname {@code soname} (once per test run) and
     * returns its path.
     */
    static Path sharedLibrary(String name, String soname) {
        return build(name, BUILD.resolve(name).resolve(soname), name + ".cpp",
                List.of("-fPIC", "-shared", "-Wl,-soname," + soname));
    }

    /**
     * Compiles {@code source} into {@code out} once per test run; skips the calling test, saying why, without the
     * sources or a compiler, and fails it when the source does not compile.
     */
    private static synchronized Path build(String name, Path out, String source, List<String> flags) {
        Assumptions.assumeTrue(Files.isDirectory(SOURCES),
                () -> "emulator sources not found from " + Path.of("").toAbsolutePath() + ", skipping");
        if (BUILT.contains(name)) {
            return out;
        }
        String cxx = System.getenv().getOrDefault("JSERVE_CXX", "g++");
        if (noCompiler == null) {
            try {
                run(List.of(cxx, "--version"), 30, null);
                noCompiler = "";
            } catch (IOException | CompilerMissing e) {
                noCompiler = "no C++ compiler (" + cxx + "), skipping the kernel emulator: " + e.getMessage();
            }
        }
        Assumptions.assumeTrue(noCompiler.isEmpty(), noCompiler);
        List<String> command = new ArrayList<>(List.of(cxx, "-O2", "-std=c++17", "-U_FORTIFY_SOURCE"));
        command.addAll(flags);  // no _FORTIFY_SOURCE above: its longjmp check refuses jumps between fiber stacks
        command.addAll(List.of("-I" + SOURCES, "-o", out.toString(), SOURCES.resolve(source).toString()));
        try {
            Files.createDirectories(out.getParent());
            run(command, 600, null);
        } catch (IOException | CompilerMissing e) {
            throw new AssertionError("the emulator source " + source + " did not compile: " + e.getMessage(), e);
        }
        BUILT.add(name);
        return out;
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
