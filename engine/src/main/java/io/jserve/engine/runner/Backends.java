package io.jserve.engine.runner;

import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.ComputeBackendProvider;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/**
 * Finds compute backends on the class path ({@link ServiceLoader}) and picks one: by name, or for
 * {@code auto} the available one of highest priority (CUDA when a device is there, else the CPU). The reason a
 * backend is unavailable is kept for the start-up log.
 */
public final class Backends {
    private static final System.Logger LOG = System.getLogger(Backends.class.getName());

    private Backends() {
    }

    /** A created backend and what the choice was based on. */
    public record Selection(ComputeBackend backend, String description) {
    }

    /** Every provider on the class path, highest priority first. */
    public static List<ComputeBackendProvider> providers() {
        List<ComputeBackendProvider> all = new ArrayList<>();
        ServiceLoader.load(ComputeBackendProvider.class).forEach(all::add);
        all.sort(Comparator.comparingInt(ComputeBackendProvider::priority).reversed());
        return all;
    }

    /**
     * Creates the backend named {@code name} ({@code auto} picks).
     *
     * @throws IllegalArgumentException when it is unknown or unavailable, with the reason
     */
    public static Selection select(String name) {
        List<ComputeBackendProvider> providers = providers();
        if (providers.isEmpty()) {
            throw new IllegalStateException("no compute backend on the class path");
        }
        if (name.equals("auto")) {
            List<String> skipped = new ArrayList<>();
            for (ComputeBackendProvider p : providers) {
                BackendAvailability a = p.availability();
                if (a.available()) {
                    String why = skipped.isEmpty() ? "" : " (" + String.join("; ", skipped) + ")";
                    return new Selection(p.create(), p.name() + ": " + a.detail() + why);
                }
                skipped.add(p.name() + " unavailable: " + a.detail());
                LOG.log(System.Logger.Level.INFO, "backend {0} unavailable: {1}", p.name(), a.detail());
            }
            throw new IllegalStateException("no compute backend is available: " + String.join("; ", skipped));
        }
        for (ComputeBackendProvider p : providers) {
            if (p.name().equals(name)) {
                BackendAvailability a = p.availability();
                if (!a.available()) {
                    throw new IllegalArgumentException("backend " + name + " is unavailable: " + a.detail());
                }
                return new Selection(p.create(), p.name() + ": " + a.detail());
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; found: "
                + providers.stream().map(ComputeBackendProvider::name).collect(Collectors.joining(", ")));
    }
}
