package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.download;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * llama.cpp's own quantized tensors ({@code reference/quant-<TYPE>.gguf}: 8 rows of 256 values, data at byte 128)
 * loaded on the device through the F16 widening: looking up all 8 rows gives llama.cpp's dequantization
 * ({@code quant-<TYPE>.f32}) rounded to f16, exactly.
 */
class CudaWidenedLlamaCppTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q5_K", "IQ4_NL"})
    void widenedRowsAreLlamaCppValuesRoundedToHalf(GgmlType type) throws IOException {
        ComputeBackend gpu = CudaTestSupport.cuda();
        Path dir = Path.of(System.getProperty("jserve.sharedModels", "../../shared/models"), "reference");
        byte[] gguf = Files.readAllBytes(dir.resolve("quant-" + type + ".gguf"));
        byte[] f32 = Files.readAllBytes(dir.resolve("quant-" + type + ".f32"));
        long bytes = 8 * type.bytesFor(256);
        assertTrue(gguf.length >= 128 + bytes, "quant-" + type + ".gguf is too short");
        MemorySegment data = Arena.ofAuto().allocate(bytes, 16)
                .copyFrom(MemorySegment.ofArray(gguf).asSlice(128, bytes));
        WeightView view = new WeightView("test", type, 8, 256, data);
        int[] ids = {0, 1, 2, 3, 4, 5, 6, 7};
        AttentionMetadata m = new AttentionMetadata(ids.clone(), new int[] {0, 8}, new int[] {8}, new int[] {0}, 1,
                ids.clone(), 16);
        Tensor out = gpu.allocate(8, 256);
        gpu.embed(gpu.load(view), gpu.prepareStep(ids, m), out);
        float[] expected = new float[8 * 256];
        MemorySegment values = MemorySegment.ofArray(f32);
        for (int i = 0; i < expected.length; i++) {
            float v = values.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
            expected[i] = Float.float16ToFloat(Float.floatToFloat16(v));
        }
        assertArrayEquals(expected, download(gpu, out), type + " widened");
    }
}
