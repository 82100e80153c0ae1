package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.reference.ReferenceBackend;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The K-quant kernels on the CPU emulator ({@link KernelEmulator}), on GGML's own blocks: an embedding lookup
 * (common.cuh's weight_at) gives llama.cpp's dequantized values ({@code reference/quant-TYPE.f32}) and the host's
 * exactly; {@code mv_q4_k} / {@code mv_q6_k}, launched 8 tokens at a time as {@link MatmulLauncher} does, are within
 * 1e-5 relative per row of the scalar reference, and a token's row is the same bits alone as among 40.
 */
class EmulatedKQuantKernelsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void embeddingRowsAreLlamaCppsValuesExactly(GgmlType type) throws IOException {
        Path reference = Path.of(System.getProperty("jserve.sharedModels", "../../shared/models"), "reference");
        byte[] gguf = Files.readAllBytes(reference.resolve("quant-" + type + ".gguf"));
        byte[] f32 = Files.readAllBytes(reference.resolve("quant-" + type + ".f32"));
        int bytes = Math.toIntExact(8 * type.bytesFor(256));
        float[] out = embed(type, 8, 256, Arrays.copyOfRange(gguf, 128, 128 + bytes), new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        float[] expected = new float[8 * 256];
        ByteBuffer.wrap(f32).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(expected);
        assertArrayEquals(expected, out, type + " as llama.cpp dequantizes it");
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void embeddingRowsAreTheHostsValuesExactly(GgmlType type) throws IOException {
        WeightView table = RandomWeights.create("tok_embd", type, 70, 512, new Random(type.ordinal()));
        int[] ids = {0, 69, 17, 17, 33};
        float[] out = embed(type, 70, 512, table.data().toArray(ValueLayout.JAVA_BYTE), ids);
        try (ComputeBackend ref = new ReferenceBackend()) {
            assertArrayEquals(CudaTestSupport.embed(ref, table, ids), out);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_K", "Q6_K"})
    void matmulMatchesTheReferenceAndIsBatchInvariant(GgmlType type) throws IOException {
        Random rnd = new Random(40 + type.ordinal());
        int rows = 301;
        int cols = 1536;
        WeightView view = RandomWeights.create("blk.0.ffn_down.weight", type, rows, cols, rnd);
        byte[] weight = view.data().toArray(ValueLayout.JAVA_BYTE);
        int tokens = 40;
        float[] x = gaussian(rnd, tokens * cols, 1.0);
        float[] out = matmul(type, rows, cols, tokens, weight, x);
        try (ComputeBackend ref = new ReferenceBackend()) {
            Tensor expected = ref.allocate(tokens, rows);
            ref.matmul(ref.load(view), CudaTestSupport.tensor(ref, tokens, cols, x), expected);
            assertRowsClose(CudaTestSupport.download(ref, expected), out, rows, 1e-5, type + " matmul");
        }
        int t = 17; // the 3rd launch's 2nd token, now alone in its launch
        float[] alone = matmul(type, rows, cols, 1, weight, Arrays.copyOfRange(x, t * cols, (t + 1) * cols));
        assertArrayEquals(Arrays.copyOfRange(out, t * rows, (t + 1) * rows), alone, "token " + t + " alone");
        assertEquals(tokens * rows, out.length);
    }

    private float[] embed(GgmlType type, int rows, int cols, byte[] weight, int[] ids) throws IOException {
        ByteBuffer in = header(type, rows, cols, ids.length, weight, 4 * ids.length);
        for (int id : ids) {
            in.putInt(id);
        }
        return run("embed", in, ids.length * cols);
    }

    private float[] matmul(GgmlType type, int rows, int cols, int tokens, byte[] weight, float[] x)
            throws IOException {
        ByteBuffer in = header(type, rows, cols, tokens, weight, 4 * x.length);
        for (float v : x) {
            in.putFloat(v);
        }
        return run("matmul", in, tokens * rows);
    }

    private static ByteBuffer header(GgmlType type, int rows, int cols, int tokens, byte[] weight, int rest) {
        ByteBuffer in = ByteBuffer.allocate(20 + weight.length + rest).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(DeviceFormat.of(type).id()).putInt(rows).putInt(cols).putInt(tokens).putInt(weight.length);
        return in.put(weight);
    }

    private float[] run(String mode, ByteBuffer in, int outValues) throws IOException {
        Path exe = KernelEmulator.driver("kquant");
        Path input = dir.resolve(mode + ".in");
        Path output = dir.resolve(mode + ".out");
        Files.write(input, in.array());
        KernelEmulator.runDriver(exe, outValues, mode, input.toString(), output.toString());
        float[] out = new float[outValues];
        ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
