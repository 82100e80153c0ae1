package io.jserve.kernels.host;

import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.ComputeBackendProvider;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.TestSteps;
import io.jserve.kernels.cpu.CpuBackend;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Memory and data movement shared by the host backends, and their discovery. */
class HostBackendTest {
    final ReferenceBackend b = new ReferenceBackend();

    @Test
    void viewsShareMemory() {
        HostTensor t = HostTensor.allocate(3, 4);
        b.upload(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, t);
        HostTensor head = t.head(2);
        HostTensor heads = head.reshape(4, 2);
        heads.set(3, 1, -7f); // row 1, col 3 of the original
        assertEquals(-7f, t.get(1, 3));
        assertEquals(2, head.rows());
        float[] rows = new float[8];
        b.download(t, new int[] {2, 0}, rows);
        assertArrayEquals(new float[] {8, 9, 10, 11, 0, 1, 2, 3}, rows);
        assertThrows(IllegalArgumentException.class, () -> t.reshape(5, 2));
        assertThrows(IllegalArgumentException.class, () -> t.head(4));
        assertThrows(IndexOutOfBoundsException.class, () -> b.download(t, new int[] {3}, new float[4]));
    }

    @Test
    void gatherRowsCopiesTheNamedRows() {
        HostTensor src = HostTensor.allocate(3, 2);
        b.upload(new float[] {1, 2, 3, 4, 5, 6}, src);
        HostTensor dst = HostTensor.allocate(2, 2);
        b.gatherRows(src, new int[] {2, 0}, dst);
        assertArrayEquals(new float[] {5, 6, 1, 2}, dst.toArray());
        assertThrows(IllegalArgumentException.class, () -> b.gatherRows(src, new int[] {1}, dst));
        assertThrows(IndexOutOfBoundsException.class, () -> b.gatherRows(src, new int[] {0, 3}, dst));
    }

    @Test
    void storeKvWritesTheMappedSlots() {
        KvCacheShape shape = new KvCacheShape(2, 4, 2, 1, 2);
        var m = new TestSteps(2).seq(new int[] {3, 1}, 1, 2).build(); // positions 1, 2 -> slots 7, 2
        assertArrayEquals(new int[] {7, 2}, m.slotMapping());
        try (KvCacheStorage kv = b.allocateKvCache(shape)) {
            Tensor k = HostTensor.allocate(2, 2);
            Tensor v = HostTensor.allocate(2, 2);
            b.upload(new float[] {1, 2, 3, 4}, k);
            b.upload(new float[] {5, 6, 7, 8}, v);
            b.storeKv(kv, 1, k, v, b.prepareStep(new int[2], m));
            HostKvCache h = HostKvCache.of(kv);
            assertEquals((8 + 7) * 2 * 4, h.slotOffset(1, 7));
            assertEquals(3f, h.keys().get(ValueLayout.JAVA_FLOAT, h.slotOffset(1, 2)));
            assertEquals(2f, h.keys().get(ValueLayout.JAVA_FLOAT, h.slotOffset(1, 7) + 4));
            assertEquals(8f, h.values().get(ValueLayout.JAVA_FLOAT, h.slotOffset(1, 2) + 4));
            assertEquals(0f, h.keys().get(ValueLayout.JAVA_FLOAT, h.slotOffset(0, 7))); // layer 0 untouched
        }
    }

    @Test
    void rejectsForeignObjectsAndBadTokens() {
        Tensor foreign = new Tensor() {
            public int rows() { return 1; }
            public int cols() { return 1; }
            public Tensor head(int rows) { return this; }
            public Tensor reshape(int rows, int cols) { return this; }
        };
        assertThrows(IllegalArgumentException.class, () -> b.upload(new float[1], foreign));
        var m = new TestSteps(2).seq(new int[] {0}, 0, 1).build();
        assertThrows(IllegalArgumentException.class, () -> b.prepareStep(new int[2], m));
        var table = b.load(io.jserve.kernels.TestWeights.random(io.jserve.kernels.GgmlType.F32, 3, 4, 1));
        var e = assertThrows(IllegalArgumentException.class,
                () -> b.embed(table, b.prepareStep(new int[] {3}, m), b.allocate(1, 4)));
        assertTrue(e.getMessage().contains("token id 3"), e.getMessage());
    }

    @Test
    void providersAreDiscovered() {
        Map<String, Integer> found = new TreeMap<>();
        for (ComputeBackendProvider p : ServiceLoader.load(ComputeBackendProvider.class)) {
            assertTrue(p.availability().available(), p.name() + ": " + p.availability().detail());
            found.put(p.name(), p.priority());
            try (ComputeBackend backend = p.create()) {
                assertEquals(p.name(), backend.name());
            }
        }
        assertEquals(Map.of("cpu", 10, "reference", 0), found);
        try (CpuBackend cpu = new CpuBackend()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), cpu.threads());
        }
    }
}
