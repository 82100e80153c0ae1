package io.jserve.kernels.cpu;

import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.ComputeBackendProvider;
import jdk.incubator.vector.FloatVector;

/** Provides the {@link CpuBackend}: available wherever the JVM runs with {@code jdk.incubator.vector}. */
public final class CpuBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public BackendAvailability availability() {
        try {
            int bits = FloatVector.SPECIES_PREFERRED.vectorBitSize();
            return BackendAvailability.available("%d threads, %d-bit vectors"
                    .formatted(Runtime.getRuntime().availableProcessors(), bits));
        } catch (LinkageError e) {
            return BackendAvailability.unavailable("the Vector API is missing (run with --add-modules "
                    + "jdk.incubator.vector): " + e);
        }
    }

    @Override
    public ComputeBackend create() {
        return new CpuBackend();
    }
}
