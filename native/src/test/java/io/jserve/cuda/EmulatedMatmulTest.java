package io.jserve.cuda;

import static io.jserve.cuda.CudaTestSupport.assertRowsClose;
import static io.jserve.cuda.CudaTestSupport.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.GgmlType;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.WeightView;
import io.jserve.kernels.reference.ReferenceBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The tensor-core matrix kernels (matmul.cu) on the CPU emulator ({@link KernelEmulator}, whose
 * {@code mma.m16n8k16} follows the PTX ISA's fragment layout), repacked and launched as {@link WeightUploader}
 * and {@link MatmulLauncher} do: F16, BF16, Q8_0 and Q4_0 against the scalar reference within the device test's
 * tolerances (2e-3 for f16 activations, 1e-2 for bf16), for 1 to 70 tokens (every kernel width, direct fp32 and staged f16 activations), with K
 * split as an H100 would split it and not at all; and a token's output row is the same bits alone (the 1-token
 * kernel) as among 40 (the 64-token kernel with two row tiles per warp): the batch invariance the kernels claim.
 * Also: the shared-memory 64-token kernels give the register-fed ones' bits, and a part of a weight group, addressed
 * at the offsets {@link WeightUploader#uploadGroup} gives it, multiplies exactly as the weight alone.
 */
class EmulatedMatmulTest {
    /** Resident warps of the one-token kernel on an H100 (132 SMs x 5 blocks x 4 warps), as in DeviceLayoutTest. */
    private static final int H100_WARPS = 2640;

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} [{1} x {2}], resident warps {3}")
    @CsvSource({"F16, 300, 1000, 2640", "BF16, 300, 1024, 2640", "Q8_0, 300, 1024, 2640", "Q4_0, 200, 1024, 2640",
            "F16, 300, 1024, 8"})
    void matchesTheReferenceAndIsBatchInvariant(GgmlType type, int rows, int cols, int residentWarps)
            throws IOException {
        Random rnd = new Random(rows * 7L + cols + type.ordinal());
        WeightView view = RandomWeights.create("w", type, rows, cols, rnd);
        float[] x = gaussian(rnd, 70 * cols, 1.0);
        float[] out40 = null;
        try (ComputeBackend ref = new ReferenceBackend()) {
            for (int tokens : new int[] {1, 5, 9, 20, 40, 70}) {
                float[] xs = Arrays.copyOf(x, tokens * cols);
                float[] got = matmul(view, tokens, xs, residentWarps);
                Tensor expected = ref.allocate(tokens, rows);
                ref.matmul(ref.load(view), CudaTestSupport.tensor(ref, tokens, cols, xs), expected);
                assertRowsClose(CudaTestSupport.download(ref, expected), got, rows, type == GgmlType.BF16 ? 1e-2 : 2e-3,
                        "%s with %d tokens".formatted(type, tokens));
                if (tokens == 40) {
                    out40 = got;
                }
            }
        }
        int t = 33;
        float[] alone = matmul(view, 1, Arrays.copyOfRange(x, t * cols, (t + 1) * cols), residentWarps);
        assertArrayEquals(Arrays.copyOfRange(out40, t * rows, (t + 1) * rows), alone, "token " + t + " alone");
    }

    @ParameterizedTest(name = "{0} [{1} x {2}], resident warps {3}")
    @CsvSource({"F16, 300, 1000, 2640", "BF16, 200, 1024, 2640", "F16, 300, 1024, 8", "F16, 72, 2048, 2640"})
    void theSharedMemoryKernelGivesTheSameBits(GgmlType type, int rows, int cols, int residentWarps)
            throws IOException {
        Random rnd = new Random(rows * 11L + cols + type.ordinal());
        WeightView view = RandomWeights.create("w", type, rows, cols, rnd);
        for (int tokens : new int[] {33, 64, 70}) {
            float[] x = gaussian(rnd, tokens * cols, 1.0);
            assertArrayEquals(matmul(view, tokens, x, residentWarps, false), matmul(view, tokens, x, residentWarps, true),
                    "%s with %d tokens".formatted(type, tokens));
        }
    }

    private float[] matmul(WeightView view, int tokens, float[] x, int residentWarps) throws IOException {
        return matmul(view, tokens, x, residentWarps, false);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"F16", "Q8_0", "Q4_0", "BF16"})
    void aGroupPartIsItsOwnWeight(GgmlType type) throws IOException {
        // q, k and v stored as one matrix (WeightUploader.uploadGroup): each part, addressed at DeviceFormat's
        // offsets into the repacked whole, multiplies exactly as the weight loaded alone (same K splits)
        Random rnd = new Random(type.ordinal());
        int cols = 1024;
        int[] partRows = {64, 32, 20};
        WeightView[] parts = new WeightView[3];
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            parts[i] = RandomWeights.create("p" + i, type, partRows[i], cols, rnd);
            joined.writeBytes(parts[i].data().toArray(ValueLayout.JAVA_BYTE));
        }
        byte[] bytes = joined.toByteArray();
        WeightView whole = new WeightView("qkv", type, 116, cols,
                MemorySegment.ofArray(bytes));
        int firstRow = 0;
        for (int i = 0; i < 3; i++) {
            for (int tokens : new int[] {1, 40}) {
                float[] x = gaussian(rnd, tokens * cols, 1.0);
                assertArrayEquals(matmul(parts[i], tokens, x, 4, false, 0, 0),
                        matmul(whole, tokens, x, 4, false, firstRow, partRows[i]),
                        "%s part %d, %d tokens".formatted(type, i, tokens));
            }
            firstRow += partRows[i];
        }
    }

    /** {@code smem}: the shared-memory 64-token kernel (mm_*_n8s) instead of the register-fed one. */
    private float[] matmul(WeightView view, int tokens, float[] x, int residentWarps, boolean smem)
            throws IOException {
        int splits = MatmulLauncher.splits(DeviceFormat.of(view.type()), (int) view.rows(),
                DeviceFormat.of(view.type()).paddedCols(view.cols()), residentWarps);
        return matmul(view, tokens, x, splits, smem, 0, 0);
    }

    /**
     * The product with {@code splits} K splits; with {@code partRows > 0}, only rows {@code [firstRow, firstRow +
     * partRows)} of {@code view}, addressed at the byte offsets WeightUploader gives a group part.
     */
    private float[] matmul(WeightView view, int tokens, float[] x, int splits, boolean smem, int firstRow,
                           int partRows) throws IOException {
        DeviceFormat f = DeviceFormat.of(view.type());
        int rows = (int) view.rows();
        int cols = (int) view.cols();
        int kp = f.paddedCols(cols);
        long rowsPad = f.paddedRows(rows);
        byte[] raw = view.data().toArray(ValueLayout.JAVA_BYTE);
        ByteBuffer in = ByteBuffer.allocate(60 + raw.length + 4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(f.id()).putInt(rows).putInt(cols).putInt(tokens).putInt(kp).putInt((int) rowsPad)
                .putInt(splits).putInt(f.rowTilesPerWarp(8))
                .putInt((int) f.dataBytes(rowsPad, kp)).putInt((int) f.scaleBytes(rowsPad, kp)).putInt(raw.length)
                .putInt(smem ? 1 : 0).putInt(partRows).putInt((int) f.dataBytes(firstRow, kp))
                .putInt((int) (f.scaleBytes(1, kp) > 0 ? f.scaleBytes(firstRow, kp) : 0));
        in.put(raw);
        for (float v : x) {
            in.putFloat(v);
        }
        Path input = dir.resolve("in.bin");
        Path output = dir.resolve("out.bin");
        Files.write(input, in.array());
        KernelEmulator.runDriver(KernelEmulator.driver("matmul"), tokens * 31L + rows, input.toString(),
                output.toString());
        float[] out = new float[tokens * (partRows > 0 ? partRows : rows)];
        ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }
}
