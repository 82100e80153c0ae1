package io.jserve.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jserve.kernels.LogitSummaries;
import io.jserve.kernels.LogitSummary;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The cases on which the summary kernel ({@code summarize_logits}) must equal the host's definition
 * ({@link LogitSummaries#summarizeRow}), shared by the device test and the emulator test: candidate ids and values
 * exact, ties to the lower id included; normalizers within 1e-5 relative (float sums against double). Rows of many
 * ties take the kernel's ordered tie path, others its unordered one; over 255 rows takes two launches.
 */
final class SummaryCases {
    private SummaryCases() {
    }

    /** rows, cols, k, kind of values. */
    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of(1, 128256, 64, "gaussian"),
                Arguments.of(3, 32000, 64, "gaussian"),
                Arguments.of(300, 4096, 64, "gaussian"),
                Arguments.of(4, 1000, 1, "gaussian"),
                Arguments.of(4, 1000, 256, "gaussian"),
                Arguments.of(5, 40, 64, "gaussian"),
                Arguments.of(6, 50000, 64, "quarters"),
                Arguments.of(6, 5000, 256, "quarters"),
                Arguments.of(2, 3000, 64, "constant"),
                Arguments.of(4, 2000, 64, "infinities"));
    }

    static float[] values(int rows, int cols, String kind) {
        Random rnd = new Random(rows * 31L + cols);
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (kind) {
                case "gaussian" -> (float) (rnd.nextGaussian() * 3);
                case "quarters" -> rnd.nextInt(24) / 4f - 3f; // thousands of ties at the k-th value
                case "constant" -> 1.5f;
                case "infinities" -> rnd.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : (float) rnd.nextGaussian();
                default -> throw new IllegalArgumentException(kind);
            };
            if (kind.equals("quarters") && x[i] == 0f && i % 7 == 0) {
                x[i] = -0f; // ties with +0
            }
        }
        return x;
    }

    /** A summary of {@code rows} rows in which every other row asks for normalizers, at 1/T = 1, 2, 3, ... */
    static LogitSummary requested(int k, int rows, int cols) {
        LogitSummary s = new LogitSummary(k);
        s.reset(rows, cols);
        for (int r = 0; r < rows; r += 2) {
            s.requestNormalizers(r, r / 2 + 1f);
        }
        return s;
    }

    static void assertMatchesHost(float[] x, LogitSummary actual) {
        int rows = actual.rows();
        int cols = actual.vocabSize();
        LogitSummary host = requested(actual.k(), rows, cols);
        for (int r = 0; r < rows; r++) {
            LogitSummaries.summarizeRow(x, r * cols, host, r);
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < host.count(); j++) {
                assertEquals(host.id(r, j), actual.id(r, j), "row " + r + " candidate " + j);
                assertEquals(host.value(r, j), actual.value(r, j), "row " + r + " candidate " + j);
            }
            if (host.wantsNormalizers(r)) {
                assertEquals(host.sumExp(r), actual.sumExp(r), 1e-5 * host.sumExp(r), "row " + r);
                assertEquals(host.sumExpScaled(r), actual.sumExpScaled(r), 1e-5 * host.sumExpScaled(r), "row " + r);
            }
        }
    }
}
