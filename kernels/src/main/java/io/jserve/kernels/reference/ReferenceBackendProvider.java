package io.jserve.kernels.reference;

import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.ComputeBackendProvider;

/** Provides the {@link ReferenceBackend}: always available, lowest priority (it is slow). */
public final class ReferenceBackendProvider implements ComputeBackendProvider {
    @Override
    public String name() {
        return "reference";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public BackendAvailability availability() {
        return BackendAvailability.available("scalar Java reference");
    }

    @Override
    public ComputeBackend create() {
        return new ReferenceBackend();
    }
}
