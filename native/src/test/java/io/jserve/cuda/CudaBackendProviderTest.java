package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jserve.kernels.BackendAvailability;
import io.jserve.kernels.ComputeBackendProvider;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Discovery and availability; these run on every machine, with or without a GPU. */
class CudaBackendProviderTest {

    @Test
    void isFoundByServiceLoaderWithItsNameAndPriority() {
        List<ComputeBackendProvider> cuda = ServiceLoader.load(ComputeBackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cuda"))
                .toList();
        assertEquals(1, cuda.size());
        assertEquals(100, cuda.getFirst().priority());
        assertEquals(CudaBackendProvider.class, cuda.getFirst().getClass());
    }

    @Test
    void availabilityIsComputedOnceAndExplainsItself() {
        BackendAvailability first = new CudaBackendProvider().availability();
        assertSame(first, new CudaBackendProvider().availability());
        assertFalse(first.detail().isBlank());
        if (!first.available()) {
            assertTrue(first.detail().contains("CUDA") || first.detail().contains("JCuda"), first.detail());
            var e = assertThrows(IllegalStateException.class, () -> new CudaBackendProvider().create());
            assertTrue(e.getMessage().contains(first.detail()));
        }
    }

    @Test
    void unavailableWithoutKernelsSaysNvccWasMissing() {
        // When this build had nvcc, the kernels are on the class path; otherwise the reason must name them.
        BackendAvailability a = new CudaBackendProvider().availability();
        if (KernelModules.firstMissing().isPresent()) {
            assertFalse(a.available());
            assertTrue(a.detail().contains("nvcc was not found"), a.detail());
        } else {
            assertEquals(List.of(), KernelModules.NAMES.stream()
                    .filter(n -> KernelModules.class.getResource(KernelModules.resource(n)) == null).toList());
        }
    }

    @Test
    void ptxIsaVersionMapsToTheDriverItNeeds() {
        assertEquals(13000, KernelModules.requiredDriverVersion(".version 9.0\n.target sm_80\n"));
        assertEquals(12080, KernelModules.requiredDriverVersion("//\n.version 8.8\n.target sm_80\n"));
    }

    @Test
    void reportsTheDeviceMemoryAndSeesAnAllocation() {
        CudaBackend gpu = CudaTestSupport.cuda();
        long before = gpu.deviceMemory().orElseThrow().freeBytes();
        var t = gpu.allocate(1024, 1024 * 64);  // 256 MiB
        var after = gpu.deviceMemory().orElseThrow();
        assertTrue(after.totalBytes() >= after.freeBytes());
        assertTrue(before - after.freeBytes() >= 256L << 20, () -> "free went from %d to %d after 256 MiB"
                .formatted(before, after.freeBytes()));
        assertEquals(1024, t.rows());
    }

    @Test
    void releaseGivesADeviceBufferBack() {
        CudaBackend gpu = CudaTestSupport.cuda();
        var t = gpu.allocate(1024, 1024 * 64);  // 256 MiB
        long held = gpu.deviceMemory().orElseThrow().freeBytes();
        gpu.release(t);
        long released = gpu.deviceMemory().orElseThrow().freeBytes();
        assertTrue(released - held >= 256L << 20, () -> "free went from %d to %d after releasing 256 MiB"
                .formatted(held, released));
    }
}
