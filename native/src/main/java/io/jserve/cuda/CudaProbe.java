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

    /** The error and its root cause, first lines only (JCuda's load errors run over many lines). */
    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String first = firstLine(e);
        return root == e ? first : first + " (caused by " + firstLine(root) + ")";
    }

    private static String firstLine(Throwable t) {
        String s = t.getClass().getSimpleName() + ": " + t.getMessage();
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
