package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Test;

/** Kernel parameter lists read from the packaged PTX, and the launch check against them (no device needed). */
class KernelSignaturesTest {
    private static final KernelSignatures.Param PTR = new KernelSignatures.Param("u64", 8);
    private static final KernelSignatures.Param INT = new KernelSignatures.Param("u32", 4);
    private static final KernelSignatures.Param FLOAT = new KernelSignatures.Param("f32", 4);

    @Test
    void readsTheParameterListsOfThePackagedKernels() {
        assumeTrue(KernelModules.firstMissing().isEmpty(), "built without nvcc: no PTX to read");
        var all = KernelSignatures.parse(ptx("sampling"));
        assertEquals(List.of(PTR, INT, INT, new KernelSignatures.Param("b8", 1024), PTR, PTR, PTR),
                all.get("summarize_logits"));
        var elementwise = KernelSignatures.parse(ptx("elementwise"));
        assertEquals(List.of(PTR, PTR, INT, PTR, PTR, INT, FLOAT, PTR, INT), elementwise.get("add_rms_norm"));
        assertEquals(List.of(PTR, INT, PTR, PTR, INT, INT, INT, INT, PTR, PTR, FLOAT, PTR, PTR, PTR, INT),
                elementwise.get("rope_store_kv_f16"));
        assertEquals(List.of(PTR, PTR, INT, PTR, INT, PTR, INT), elementwise.get("split_columns"));
        assertEquals(List.of(PTR, PTR, PTR, INT, INT, INT), KernelSignatures.parse(ptx("kquant")).get("mv_q4_k"));
        assertEquals(10, KernelSignatures.parse(ptx("matmul")).get("mm_f16_n8s").size());
    }

    @Test
    void aLaunchMustFitItsKernel() {
        KernelSignatures s = KernelSignatures.of(Map.of("k", List.of(PTR, INT, FLOAT,
                new KernelSignatures.Param("b8", 1024))));
        CUdeviceptr p = new CUdeviceptr();
        s.check("k", new Object[] {p, 3, 1.5f, new int[256]});
        assertEquals("kernel k takes 4 arguments, given 3", assertThrows(IllegalArgumentException.class,
                () -> s.check("k", new Object[] {p, 3, 1.5f})).getMessage());
        assertEquals("kernel k argument 1: Float given for a .u32 parameter of 4 bytes",
                assertThrows(IllegalArgumentException.class,
                        () -> s.check("k", new Object[] {p, 3f, 1.5f, new int[256]})).getMessage());
        assertEquals("kernel k argument 3: int[255] given for a .b8 parameter of 1024 bytes",
                assertThrows(IllegalArgumentException.class,
                        () -> s.check("k", new Object[] {p, 3, 1.5f, new int[255]})).getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.check("nope", new Object[0]));
    }

    private static String ptx(String module) {
        byte[] text = KernelModules.load(module);
        return new String(text, 0, text.length - 1, StandardCharsets.US_ASCII);
    }
}
