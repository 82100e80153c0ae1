package io.jserve.kernels;

import io.jserve.kernels.cpu.CpuBackend;
import io.jserve.kernels.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogitSummariesTest {

    @Test
    void candidatesAreTheLargestValuesWithTheLowerIdFirstOnTies() {
        float[] row = {1f, 5f, 3f, 5f, -2f, 3f, 7f, 3f};
        LogitSummary s = new LogitSummary(4);
        s.reset(1, row.length);
        LogitSummaries.summarizeRow(row, 0, s, 0);
        assertCandidates(s, 0, new int[] {6, 1, 3, 2}, new float[] {7f, 5f, 5f, 3f});
    }

    @Test
    void candidatesAreThoseOfASortOfTheRow() {
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int vocab = 1 + random.nextInt(3000);
            int k = 1 + random.nextInt(80);
            float[] row = new float[vocab + 5];
            int spread = 1 + random.nextInt(500);
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextInt(4) == 0 ? i * 0.01f : random.nextInt(spread) / 4f; // rising runs, ties
            }
            LogitSummary s = new LogitSummary(k);
            s.reset(1, vocab);
            LogitSummaries.summarizeRow(row, 5, s, 0);
            Integer[] ids = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                ids[i] = i;
            }
            Arrays.sort(ids, (a, b) -> row[5 + a] != row[5 + b] ? Float.compare(row[5 + b], row[5 + a]) : a - b);
            for (int j = 0; j < s.count(); j++) {
                assertEquals(ids[j], s.id(0, j), "trial " + trial + " candidate " + j);
                assertEquals(row[5 + ids[j]], s.value(0, j));
            }
        }
    }

    @Test
    void topIndicesAreTheCandidates() {
        float[] row = {0f, 1f, 5f, 3f, 5f, -2f, 3f, 7f, 3f};
        assertEquals(List.of(7, 2, 4, 3, 6), Arrays.stream(LogitSummaries.topIndices(row, 1, 8, 5))
                .map(i -> i + 1).boxed().toList()); // offset 1: index 6 of the slice is row[7]
        assertEquals(0, LogitSummaries.topIndices(row, 0, 9, 0).length);
        assertEquals(9, LogitSummaries.topIndices(row, 0, 9, 20).length);
    }

    @Test
    void aRowShorterThanKKeepsEveryValueInOrder() {
        float[] row = {0.5f, Float.NEGATIVE_INFINITY, 2f};
        LogitSummary s = new LogitSummary(8);
        s.reset(1, row.length);
        assertEquals(3, s.count());
        LogitSummaries.summarizeRow(row, 0, s, 0);
        assertCandidates(s, 0, new int[] {2, 0, 1}, new float[] {2f, 0.5f, Float.NEGATIVE_INFINITY});
    }

    @Test
    void normalizersAreSumsOverTheWholeRowOnlyWhereAsked() {
        float[] rows = {0f, (float) Math.log(3), 0f, /* row 1 */ 1f, 1f, 1f};
        LogitSummary s = new LogitSummary(1);
        s.reset(2, 3);
        s.requestNormalizers(0, 0.5f);
        for (int r = 0; r < 2; r++) {
            LogitSummaries.summarizeRow(rows, 3 * r, s, r);
        }
        // max = ln 3: sum exp(x - ln 3) = 1/3 + 1 + 1/3; with 1/T = 0.5: 2 * 3^-0.5 + 1
        assertEquals(5.0 / 3.0, s.sumExp(0), 1e-7);
        assertEquals(1 + 2 / Math.sqrt(3), s.sumExpScaled(0), 1e-7);
        assertTrue(Double.isNaN(s.sumExp(1)));
        assertEquals(0, s.id(1, 0)); // all equal: the lowest id
    }

    @Test
    void everyHostBackendAndTheDefaultGiveTheSameSummary() {
        Random random = new Random(7);
        int rows = 5;
        int vocab = 1000;
        float[] values = new float[rows * vocab];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextInt(200) / 8f; // many ties
        }
        LogitSummary expected = summaryOf(values, rows, vocab);
        for (ComputeBackend backend : new ComputeBackend[] {new ReferenceBackend(), new CpuBackend(2)}) {
            try (backend) {
                Tensor t = backend.allocate(rows, vocab);
                backend.upload(values, t);
                LogitSummary viaBackend = request(new LogitSummary(16), rows, vocab);
                backend.summarize(t, viaBackend);
                assertSame(expected, viaBackend);
                LogitSummary viaDefault = request(new LogitSummary(16), rows, vocab);
                new DefaultOnly(backend).summarize(t, viaDefault);
                assertSame(expected, viaDefault);
            }
        }
    }

    @Test
    void aSummaryOfTheWrongShapeIsRefused() {
        try (ComputeBackend backend = new ReferenceBackend()) {
            Tensor t = backend.allocate(2, 10);
            LogitSummary s = new LogitSummary(4);
            s.reset(3, 10);
            assertThrows(IllegalArgumentException.class, () -> backend.summarize(t, s));
        }
        assertThrows(IllegalArgumentException.class, () -> new LogitSummary(0));
        assertThrows(IllegalArgumentException.class, () -> new LogitSummary(LogitSummary.MAX_CANDIDATES + 1));
        LogitSummary s = new LogitSummary(4);
        s.reset(1, 10);
        assertThrows(IllegalArgumentException.class, () -> s.requestNormalizers(0, 0f));
        assertThrows(IndexOutOfBoundsException.class, () -> s.requestNormalizers(1, 1f));
    }

    private static LogitSummary summaryOf(float[] values, int rows, int vocab) {
        LogitSummary s = request(new LogitSummary(16), rows, vocab);
        for (int r = 0; r < rows; r++) {
            LogitSummaries.summarizeRow(values, r * vocab, s, r);
        }
        return s;
    }

    private static LogitSummary request(LogitSummary s, int rows, int vocab) {
        s.reset(rows, vocab);
        for (int r = 0; r < rows; r += 2) {
            s.requestNormalizers(r, 1f / (r + 1));
        }
        return s;
    }

    private static void assertSame(LogitSummary expected, LogitSummary actual) {
        for (int r = 0; r < expected.rows(); r++) {
            for (int j = 0; j < expected.count(); j++) {
                assertEquals(expected.id(r, j), actual.id(r, j), "row " + r + " candidate " + j);
                assertEquals(expected.value(r, j), actual.value(r, j));
            }
            assertEquals(expected.sumExp(r), actual.sumExp(r), 0.0);
            assertEquals(expected.sumExpScaled(r), actual.sumExpScaled(r), 0.0);
        }
    }

    private static void assertCandidates(LogitSummary s, int row, int[] ids, float[] values) {
        for (int j = 0; j < ids.length; j++) {
            assertEquals(ids[j], s.id(row, j), "candidate " + j);
            assertEquals(values[j], s.value(row, j), "candidate " + j);
        }
    }

    /** A backend that answers summarize with the interface's default, going through download. */
    private record DefaultOnly(ComputeBackend inner) implements ComputeBackend {
        public String name() {
            return inner.name();
        }

        public Weight load(WeightView view) {
            return inner.load(view);
        }

        public Tensor allocate(int rows, int cols) {
            return inner.allocate(rows, cols);
        }

        public KvCacheStorage allocateKvCache(KvCacheShape shape) {
            return inner.allocateKvCache(shape);
        }

        public StepInputs prepareStep(int[] tokenIds, AttentionMetadata metadata) {
            return inner.prepareStep(tokenIds, metadata);
        }

        public void upload(float[] src, Tensor t) {
            inner.upload(src, t);
        }

        public void download(Tensor t, int[] rows, float[] dst) {
            inner.download(t, rows, dst);
        }

        public void embed(Weight table, StepInputs step, Tensor out) {
            inner.embed(table, step, out);
        }

        public void matmul(Weight w, Tensor x, Tensor out) {
            inner.matmul(w, x, out);
        }

        public void rmsNorm(Tensor x, Weight w, float eps, Tensor out) {
            inner.rmsNorm(x, w, eps, out);
        }

        public void rope(Tensor x, int numHeads, int headDim, RopeConfig rope, StepInputs step) {
            inner.rope(x, numHeads, headDim, rope, step);
        }

        public void siluMul(Tensor gate, Tensor up, Tensor out) {
            inner.siluMul(gate, up, out);
        }

        public void add(Tensor a, Tensor b, Tensor out) {
            inner.add(a, b, out);
        }

        public void storeKv(KvCacheStorage kv, int layer, Tensor k, Tensor v, StepInputs step) {
            inner.storeKv(kv, layer, k, v, step);
        }

        public void attention(KvCacheStorage kv, int layer, Tensor q, StepInputs step, AttentionConfig config,
                              Tensor out) {
            inner.attention(kv, layer, q, step, config, out);
        }

        public void close() {
        }
    }
}
