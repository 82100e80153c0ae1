package io.jserve.cuda;

import io.jserve.kernels.LogitSummary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * sampling.cu's {@code summarize_logits}, run on the CPU emulator ({@link KernelEmulator}) and launched as
 * {@link SummaryLauncher} launches it, against the host's definition on {@link SummaryCases}: the kernel's logic
 * checked on every machine, the device test ({@link CudaSummaryParityTest}) checking it on a GPU.
 */
class EmulatedSummaryKernelTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} rows x {1}, k {2}, {3}")
    @MethodSource("io.jserve.cuda.SummaryCases#cases")
    void matchesTheHost(int rows, int cols, int k, String kind) throws IOException {
        Path exe = KernelEmulator.driver("summarize");
        float[] x = SummaryCases.values(rows, cols, kind);
        LogitSummary summary = SummaryCases.requested(k, rows, cols);
        ByteBuffer in = ByteBuffer.allocate(12 + 4 * rows + 4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(rows).putInt(cols).putInt(k);
        for (int r = 0; r < rows; r++) {
            in.putFloat(summary.inverseTemperature(r));
        }
        for (float v : x) {
            in.putFloat(v);
        }
        Path input = dir.resolve("in.bin");
        Path output = dir.resolve("out.bin");
        Files.write(input, in.array());
        KernelEmulator.runDriver(exe, rows * 131L + cols + k, input.toString(), output.toString());

        ByteBuffer out = ByteBuffer.wrap(Files.readAllBytes(output)).order(ByteOrder.LITTLE_ENDIAN);
        int count = summary.count();
        int[] ids = new int[rows * k];
        float[] values = new float[rows * k];
        out.asIntBuffer().get(ids);
        out.position(4 * rows * k);
        out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        out.position(8 * rows * k);
        float[] sums = new float[2 * rows];
        out.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(sums);
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < count; j++) {
                summary.setCandidate(r, j, ids[r * k + j], values[r * k + j]);
            }
            if (summary.wantsNormalizers(r)) {
                summary.setSums(r, sums[2 * r], sums[2 * r + 1]);
            }
        }
        SummaryCases.assertMatchesHost(x, summary);
    }
}
