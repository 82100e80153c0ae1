package io.jserve.cuda;

import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.ComputeBackendProvider;

/**
 * The CUDA backend, found through {@link java.util.ServiceLoader}. It outranks the CPU backends when it is
 * available; when the kernels were built without {@code nvcc}, JCuda or {@code libcuda} cannot load, or there
 * is no device, {@link #availability()} says why and the engine falls back to the CPU.
 */
public final class CudaBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public BackendAvailability availability() {
        return CudaProbe.availability();
    }

    @Override
    public ComputeBackend create() {
        BackendAvailability a = availability();
        if (!a.available()) {
            throw new IllegalStateException("the cuda backend is unavailable: " + a.detail());
        }
        return new CudaBackend(0);
    }
}
