package io.jserve.kernels;

/**
 * Discovers and creates a {@link ComputeBackend}. Implementations are found with {@link java.util.ServiceLoader},
 * so optional native backends (CUDA) need only be on the class path; a provider whose native libraries or
 * device are missing reports itself unavailable instead of failing.
 */
public interface ComputeBackendProvider {

    /** The name users select it by ({@code --backend cpu|cuda|reference}). */
    String name();

    /** Higher wins when the backend is chosen automatically. */
    int priority();

    /** Whether this backend can run here, and if not, why. Must not throw. */
    BackendAvailability availability();

    /** Creates the backend; call only when {@link #availability()} says it is available. */
    ComputeBackend create();
}
