package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.quant.WeightFormat;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host half of loading a type with no device format: which types widen, and the f16 values they widen to. */
class WeightWidenerTest {

    @Test
    void onlyTypesWithAHostDecoderAndNoDeviceFormatWiden() {
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K,
                GgmlType.Q3_K, GgmlType.Q5_K, GgmlType.IQ4_NL}) {
            assertTrue(WeightWidener.widens(t), t.toString());
        }
        // Q4_K and Q6_K have their own device kernels (kquant.cu) unless -Djserve.cuda.kquants=f16
        for (GgmlType t : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
                GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q8_K, GgmlType.I32}) {
            assertFalse(WeightWidener.widens(t), t.toString());
        }
    }

    @Test
    void widensEachValueToTheNearestHalfOfItsExactDequantization() {
        WeightView q = RandomWeights.create("blk.0.attn_v.weight", GgmlType.Q5_K, 3, 512, new Random(7));
        WeightWidener widener = new WeightWidener();
        try (Arena arena = Arena.ofConfined()) {
            WeightView f16 = widener.widen(q, arena);
            assertEquals(GgmlType.F16, f16.type());
            assertEquals(3, f16.rows());
            assertEquals(512, f16.cols());
            float[] exact = WeightFormat.of(GgmlType.Q5_K).dequantize(q.data(), 0, 3 * 512);
            for (int i = 0; i < exact.length; i++) {
                short h = f16.data().getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
                assertEquals(Float.floatToFloat16(exact[i]), h, "value " + i);
            }
        }
        assertEquals("cuda: 1 weight tensors widened to F16 (no device kernels for their types): 0.0 MiB on the"
                + " device instead of 0.0 MiB: blk.0.attn_v.weight (Q5_K)", widener.takeSummary());
        assertNull(widener.takeSummary(), "the summary is taken once");
    }
}
