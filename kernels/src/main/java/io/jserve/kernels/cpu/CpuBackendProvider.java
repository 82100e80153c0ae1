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
            Q8Path q8 = Q8Path.fromSystemProperty();
            String q8Text = switch (q8) {
                case FLOAT -> "float";
                case INT8 -> "8-bit activations, Java";
                case INT8_NATIVE -> NativeQ8Kernel.available() ? "8-bit activations, " + NativeQ8Kernel.status()
                        : "float (" + NativeQ8Kernel.status() + ")";
            };
            return BackendAvailability.available("%d threads, %d-bit vectors, Q8_0 %s"
                    .formatted(Runtime.getRuntime().availableProcessors(), bits, q8Text));
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
