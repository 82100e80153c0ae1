package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;

import io.jserve.kernels.BackendAvailability;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import jcuda.CudaException;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

/**
 * Finds out once per process whether the CUDA backend can run: kernels built, JCuda's driver binding loadable
 * (it needs {@code libcuda.so.1}), a driver new enough for the PTX, and at least one device. The first failure
 * to load JCuda's native library leaves {@code JCudaDriver} unusable for the rest of the process, so the answer
 * is computed once and cached.
 */
final class CudaProbe {
    private static BackendAvailability cached;

    private CudaProbe() {
    }

    static synchronized BackendAvailability availability() {
        if (cached == null) {
            cached = probe();
        }
        return cached;
    }

    private static BackendAvailability probe() {
        Optional<String> missing = KernelModules.firstMissing();
        if (missing.isPresent()) {
            return BackendAvailability.unavailable("CUDA kernels were not built (no " + KernelModules.resource(
                    missing.get()) + " on the class path: nvcc was not found when jserve was built)");
        }
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
            int[] count = {0};
            cuDeviceGetCount(count);
            if (count[0] == 0) {
                return BackendAvailability.unavailable("the CUDA driver found no device");
            }
            int[] version = {0};
            cuDriverGetVersion(version);
            int needed = KernelModules.requiredDriverVersion(KernelModules.header("matmul"));
            if (version[0] < needed) {
                return BackendAvailability.unavailable("the CUDA driver supports CUDA %s; the kernels were built for CUDA %s"
                        .formatted(cudaVersion(version[0]), cudaVersion(needed)));
            }
            return BackendAvailability.available("%s (CUDA driver %s)".formatted(deviceName(0), cudaVersion(version[0])));
        } catch (LinkageError e) {
            return BackendAvailability.unavailable("JCuda's driver binding could not load (is libcuda.so.1 installed?): "
                    + rootMessage(e));
        } catch (CudaException e) {
            return BackendAvailability.unavailable("CUDA driver error: " + e.getMessage());
        } catch (RuntimeException e) {
            return BackendAvailability.unavailable("CUDA probe failed: " + rootMessage(e));
        }
    }

    static String deviceName(int ordinal) {
        CUdevice device = new CUdevice();
        cuDeviceGet(device, ordinal);
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, device);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new String(name, 0, len, StandardCharsets.UTF_8);
    }

    private static String cudaVersion(int v) {
        return (v / 1000) + "." + (v % 1000 / 10);
    }

    /**
     * The error in one line, plus the line naming the missing shared library: JCuda's load error is a long
     * message of nested stack traces whose useful part is "libcuda.so.1: cannot open shared object file".
     */
    private static String rootMessage(Throwable e) {
        String message = String.valueOf(e.getMessage());
        String first = e.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
        String missing = message.lines()
                .filter(l -> l.contains("cannot open shared object") || l.contains("undefined symbol"))
                .map(String::strip)
                .findFirst().orElse(null);
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        if (missing != null) {
            return first + " (" + missing + ")";
        }
        return root == e ? first : first + " (caused by " + root + ")";
    }
}
