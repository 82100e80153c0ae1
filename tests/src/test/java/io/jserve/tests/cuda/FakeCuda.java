package io.jserve.tests.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CUDA engine tests without a GPU: with {@code JSERVE_FAKE_CUDA=1} (the build's {@code emulated-cuda} test
 * execution) they load the stand-in libcuda.so.1 that the native module's tests built from
 * {@code native/src/test/emu/fake_cuda.cpp} before JCuda does, so the whole engine runs on the cuda backend with its
 * kernels on the CPU emulator. Without the variable they use whatever driver the machine has.
 */
final class FakeCuda {
    private static final Path LIBRARY = Path.of("../native/target/emu/fake_cuda/libcuda.so.1");
    private static boolean loaded;

    private FakeCuda() {
    }

    /** Whether the stand-in driver is loaded: the CUDA tests run on the CPU emulator. */
    static synchronized boolean active() {
        return loaded;
    }

    /** Loads the stand-in driver when asked to (before any JCuda call); skips the test class if it was not built. */
    static synchronized void installIfRequested() {
        if (loaded || !"1".equals(System.getenv("JSERVE_FAKE_CUDA"))) {
            return;
        }
        assumeTrue(Files.isRegularFile(LIBRARY), () -> "the fake CUDA driver " + LIBRARY.toAbsolutePath()
                + " was not built (the native module's emulated-cuda tests build it), skipping");
        System.load(LIBRARY.toAbsolutePath().toString());
        loaded = true;
    }
}
