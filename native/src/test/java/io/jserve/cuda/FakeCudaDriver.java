package io.jserve.cuda;

import java.nio.file.Path;

/**
 * Runs the device tests without a GPU: when the environment sets {@code JSERVE_FAKE_CUDA=1} (the build's
 * {@code emulated-cuda} test execution does), {@code src/test/emu/fake_cuda.cpp} (a stand-in for libcuda.so.1
 * that runs the kernels on the CPU emulator) is built and loaded before JCuda, whose native library then links to
 * it instead of the real driver. The cuda backend's Java code is unchanged; only the kernels run on the emulator.
 */
final class FakeCudaDriver {
    private static boolean loaded;

    private FakeCudaDriver() {
    }

    /** Whether this test JVM runs the device tests on the emulator. */
    static boolean requested() {
        return "1".equals(System.getenv("JSERVE_FAKE_CUDA"));
    }

    /** Builds and loads the stand-in driver once, before any JCuda call; skips the calling test if it cannot. */
    static synchronized void install() {
        if (loaded) {
            return;
        }
        Path lib = KernelEmulator.sharedLibrary("fake_cuda", "libcuda.so.1");  // skips the test without g++
        System.load(lib.toAbsolutePath().toString());
        loaded = true;
    }
}
