package io.jserve.kernels;

import java.util.Arrays;

/**
 * What sampling needs from most rows of logits, in a few hundred bytes instead of the whole row: the row's
 * {@code k} largest values with their column ids (largest first, lower id first on ties), and its two softmax
 * normalizers {@code sum_i exp(x_i - max)} and {@code sum_i exp((x_i - max) * invTemperature)}, where {@code max}
 * is the first candidate's value. Filled by {@link ComputeBackend#summarize}: a 128K-token vocabulary at batch 256
 * is 131 MB of logits a step, which a GPU would otherwise copy to the host and the host would then scan.
 *
 * <p>A reusable buffer: the engine thread owns one, and each step {@link #reset resets} it, says which rows want
 * normalizers at which temperature, and has the backend fill it. Rows that do not ask for normalizers may have
 * none computed (their sums read NaN); greedy sampling without log-probabilities needs only the candidates.
 */
public final class LogitSummary {
    /** The most candidates a row may have: the CUDA kernel keeps them in shared memory. */
    public static final int MAX_CANDIDATES = 256;

    private final int k;
    private int rows;
    private int vocabSize;
    private int[] ids = new int[0];
    private float[] values = new float[0];
    private float[] inverseTemperatures = new float[0];
    private boolean[] wantsNormalizers = new boolean[0];
    private double[] sumExp = new double[0];
    private double[] sumExpScaled = new double[0];

    /** A summary keeping {@code k} candidates a row ({@code 1 <= k <= MAX_CANDIDATES}). */
    public LogitSummary(int k) {
        if (k < 1 || k > MAX_CANDIDATES) {
            throw new IllegalArgumentException("candidates per row must be in [1, %d], got %d"
                    .formatted(MAX_CANDIDATES, k));
        }
        this.k = k;
    }

    /** Candidates kept per row (fewer when the vocabulary is smaller: see {@link #count()}). */
    public int k() {
        return k;
    }

    /** Starts a step of {@code rows} rows of {@code vocabSize} logits: no row wants normalizers yet. */
    public void reset(int rows, int vocabSize) {
        if (rows < 0 || vocabSize < 1) {
            throw new IllegalArgumentException("summary of %d rows of %d logits".formatted(rows, vocabSize));
        }
        this.rows = rows;
        this.vocabSize = vocabSize;
        if (inverseTemperatures.length < rows) {
            int capacity = Math.max(rows, 2 * inverseTemperatures.length);
            ids = new int[capacity * k];
            values = new float[capacity * k];
            inverseTemperatures = new float[capacity];
            wantsNormalizers = new boolean[capacity];
            sumExp = new double[capacity];
            sumExpScaled = new double[capacity];
        }
        Arrays.fill(inverseTemperatures, 0, rows, 1f);
        Arrays.fill(wantsNormalizers, 0, rows, false);
        Arrays.fill(sumExp, 0, rows, Double.NaN);
        Arrays.fill(sumExpScaled, 0, rows, Double.NaN);
    }

    /** Asks for row {@code row}'s normalizers, the scaled one at {@code 1 / temperature = inverseTemperature}. */
    public void requestNormalizers(int row, float inverseTemperature) {
        checkRow(row);
        if (!(inverseTemperature > 0) || Float.isInfinite(inverseTemperature)) {
            throw new IllegalArgumentException("inverse temperature must be positive and finite, got "
                    + inverseTemperature);
        }
        wantsNormalizers[row] = true;
        inverseTemperatures[row] = inverseTemperature;
    }

    public int rows() {
        return rows;
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** Candidates per row this step: {@code min(k, vocabSize)}. */
    public int count() {
        return Math.min(k, vocabSize);
    }

    public boolean wantsNormalizers(int row) {
        checkRow(row);
        return wantsNormalizers[row];
    }

    /** The scaled normalizer's {@code 1 / temperature} (1 for rows that asked for none). */
    public float inverseTemperature(int row) {
        checkRow(row);
        return inverseTemperatures[row];
    }

    /** Column id of candidate {@code j} of row {@code row} ({@code j = 0} is the row's maximum). */
    public int id(int row, int j) {
        return ids[index(row, j)];
    }

    /** Value of candidate {@code j} of row {@code row}. */
    public float value(int row, int j) {
        return values[index(row, j)];
    }

    /** {@code sum_i exp(x_i - max)} over the whole row; NaN unless filled. */
    public double sumExp(int row) {
        checkRow(row);
        return sumExp[row];
    }

    /** {@code sum_i exp((x_i - max) * inverseTemperature(row))} over the whole row; NaN unless filled. */
    public double sumExpScaled(int row) {
        checkRow(row);
        return sumExpScaled[row];
    }

    /** Sets candidate {@code j} of a row (backends fill the summary through this and {@link #setSums}). */
    public void setCandidate(int row, int j, int id, float value) {
        int i = index(row, j);
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("candidate id %d outside the vocabulary of %d".formatted(id, vocabSize));
        }
        ids[i] = id;
        values[i] = value;
    }

    /** Sets a row's normalizers. */
    public void setSums(int row, double sumExp, double sumExpScaled) {
        checkRow(row);
        this.sumExp[row] = sumExp;
        this.sumExpScaled[row] = sumExpScaled;
    }

    private int index(int row, int j) {
        checkRow(row);
        if (j < 0 || j >= count()) {
            throw new IndexOutOfBoundsException("candidate %d of %d".formatted(j, count()));
        }
        return row * k + j;
    }

    private void checkRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row %d of a summary of %d rows".formatted(row, rows));
        }
    }
}
