package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.WeightView;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The host-side layout rules (padding, sizes, the packed step inputs); no device needed. */
class DeviceLayoutTest {

    @Test
    void paddingAndSizesPerFormat() {
        assertEquals(172, DeviceFormat.F32.paddedCols(172));
        assertEquals(19, DeviceFormat.F32.paddedRows(19));
        assertEquals(19 * 172 * 4, DeviceFormat.F32.dataBytes(19, 172));

        assertEquals(192, DeviceFormat.F16.paddedCols(172));
        assertEquals(48, DeviceFormat.F16.paddedRows(37));
        assertEquals(48 * 192 * 2, DeviceFormat.F16.dataBytes(48, 192));
        assertEquals(0, DeviceFormat.F16.scaleBytes(48, 192));

        assertEquals(128, DeviceFormat.Q8_0.paddedCols(96));
        assertEquals(48 * 128, DeviceFormat.Q8_0.dataBytes(48, 128));
        assertEquals(48 * 4 * 2, DeviceFormat.Q8_0.scaleBytes(48, 128));

        assertEquals(256, DeviceFormat.Q4_0.paddedCols(160));
        assertEquals(48 * 128, DeviceFormat.Q4_0.dataBytes(48, 256));
        assertEquals(48 * 8 * 2, DeviceFormat.Q4_0.scaleBytes(48, 256));

        // K-quants: GGML's super-blocks as they are, no padding
        assertEquals(4096, DeviceFormat.Q4_K.paddedCols(4096));
        assertEquals(37, DeviceFormat.Q4_K.paddedRows(37));
        assertEquals(37 * 16 * 144, DeviceFormat.Q4_K.dataBytes(37, 4096));
        assertEquals(37 * 16 * 210, DeviceFormat.Q6_K.dataBytes(37, 4096));
        assertEquals(0, DeviceFormat.Q6_K.scaleBytes(37, 4096));
        assertFalse(DeviceFormat.Q4_K.repacked());
    }

    @Test
    void weightsGroupWhenTheyCanShareOneMatrix() {
        Random rnd = new Random(1);
        WeightView q = RandomWeights.create("q", GgmlType.F16, 64, 256, rnd);
        WeightView k = RandomWeights.create("k", GgmlType.F16, 16, 256, rnd);
        WeightView odd = RandomWeights.create("odd", GgmlType.F16, 20, 256, rnd);
        assertTrue(WeightUploader.groupable(List.of(q, k, k)));
        assertTrue(WeightUploader.groupable(List.of(q, k, odd)), "the last part may end in a part-tile");
        assertFalse(WeightUploader.groupable(List.of(q, odd, k)), "a part-tile before the last");
        assertFalse(WeightUploader.groupable(List.of(q)), "one weight is no group");
        assertFalse(WeightUploader.groupable(List.of(q, RandomWeights.create("w", GgmlType.F16, 16, 512, rnd))),
                "other columns");
        assertFalse(WeightUploader.groupable(List.of(q, RandomWeights.create("w", GgmlType.Q8_0, 16, 256, rnd))),
                "other type");
        WeightView k4 = RandomWeights.create("k4", GgmlType.Q4_K, 20, 256, rnd);
        assertTrue(WeightUploader.groupable(List.of(k4, k4)), "K-quants are not tiled");
        WeightView k5 = RandomWeights.create("k5", GgmlType.Q5_K, 16, 256, rnd);
        assertFalse(WeightUploader.groupable(List.of(k5, k5)), "widened on the host");
    }

    @Test
    void splitCountsDependOnTheWeightShapeOnly() {
        // 2640 resident warps (132 SMs x 5 blocks x 4 warps): the fewest rounds of (units per split + 4).
        assertEquals(10, MatmulLauncher.splits(DeviceFormat.F16, 4096, 4096, 2640));   // 2560 items, 1 round of 13 + 4
        assertEquals(16, MatmulLauncher.splits(DeviceFormat.F16, 1024, 4096, 2640));   // 128 units / 8
        assertEquals(5, MatmulLauncher.splits(DeviceFormat.F16, 14336, 4096, 2640));   // 2 rounds of 26 + 4
        assertEquals(1, MatmulLauncher.splits(DeviceFormat.F16, 128256, 4096, 2640));  // a full wave of tiles
        assertEquals(8, MatmulLauncher.splits(DeviceFormat.Q8_0, 1024, 4096, 2640));   // 64 units / 8
        assertEquals(1, MatmulLauncher.splits(DeviceFormat.F16, 100, 64, 2640));       // 2 units: no split
    }

    @Test
    void kernelNamesAndTypes() {
        assertEquals("mm_q8_0_n4", DeviceFormat.Q8_0.matmulKernel(4, false));
        assertEquals("mm_bf16_n1", DeviceFormat.BF16.matmulKernel(1, false));
        assertEquals("mm_f16_n1x", DeviceFormat.F16.matmulKernel(1, true));
        assertEquals(2, DeviceFormat.F16.rowTilesPerWarp(8));   // R8 of mm_f16_n8 in matmul.cu
        assertEquals(2, DeviceFormat.BF16.rowTilesPerWarp(8));
        assertEquals(1, DeviceFormat.F16.rowTilesPerWarp(4));
        assertEquals(1, DeviceFormat.Q8_0.rowTilesPerWarp(8));
        assertThrows(IllegalArgumentException.class, () -> DeviceFormat.F16.matmulKernel(2, true));
        assertThrows(IllegalArgumentException.class, () -> DeviceFormat.F32.matmulKernel(1, false));
        assertEquals(DeviceFormat.Q4_0, DeviceFormat.of(GgmlType.Q4_0));
        assertEquals(DeviceFormat.Q6_K, DeviceFormat.of(GgmlType.Q6_K));
        assertEquals("mv_q4_k", DeviceFormat.Q4_K.kQuantKernel());
        assertEquals(5, DeviceFormat.Q4_K.id());  // WF_Q4_K in common.cuh
        assertEquals(6, DeviceFormat.Q6_K.id());  // WF_Q6_K
        var e = assertThrows(UnsupportedOperationException.class, () -> DeviceFormat.of(GgmlType.Q5_K));
        assertEquals("the cuda backend stores F32, F16, BF16, Q8_0, Q4_0, Q4_K and Q6_K weights, not Q5_K",
                e.getMessage());
    }

    @Test
    void stepInputsPackEveryArrayOnceInOrder() {
        // Two sequences: one decode token (position 5, context 6), a two-token chunk (positions 3, 4).
        AttentionMetadata m = new AttentionMetadata(new int[] {5, 3, 4}, new int[] {0, 1, 3}, new int[] {6, 5},
                new int[] {4, 0, 2, 7}, 2, new int[] {13, 7, 8}, 4);
        int[] packed = DeviceStepInputs.pack(new int[] {11, 12, 13}, m);
        int[] tables = new int[2 * 16];  // rows padded to a power-of-two stride of at least 16
        tables[0] = 4;
        tables[1] = 0;
        tables[16] = 2;
        tables[17] = 7;
        int[] expected = new int[3 + 3 + 3 + 3 + 2 + 3 + 32];
        System.arraycopy(new int[] {
                11, 12, 13,      // token ids
                5, 3, 4,         // positions
                0, 1, 1,         // sequence of each token
                0, 1, 3,         // query starts
                6, 5,            // context lengths
                13, 7, 8},       // slot mapping
                0, expected, 0, 17);
        System.arraycopy(tables, 0, expected, 17, 32);  // block tables, last
        assertArrayEquals(expected, packed);
        assertThrows(IllegalArgumentException.class, () -> DeviceStepInputs.pack(new int[] {1, 2}, m));
    }
}
