package io.jserve.engine.runner;

import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.LogitSummary;
import io.jserve.kernels.Tensor;

import java.util.Objects;

/**
 * The logits of one step's sampled rows, still where the backend computed them (device memory on a GPU). Valid
 * until the next step. Sampling asks for a {@link LogitSummary} of every row and copies whole rows only for the
 * sequences that need them: at batch 256 with a 128K vocabulary the whole set is 131 MB.
 */
public final class StepLogits {
    private final ComputeBackend backend;
    private Tensor logits;
    private float[] host = new float[0];

    StepLogits(ComputeBackend backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    void set(Tensor logits) {
        this.logits = logits;
    }

    /** Rows: one per sampled sequence, in the step's order. */
    public int rows() {
        return logits.rows();
    }

    public int vocabSize() {
        return logits.cols();
    }

    /** Fills {@code out}, {@link LogitSummary#reset reset} to {@link #rows()} rows of {@link #vocabSize()}. */
    public void summarize(LogitSummary out) {
        backend.summarize(logits, out);
    }

    /**
     * Rows {@code rows} copied to the host, row after row ({@code rows.length * vocabSize()} values). The array is
     * reused: it is valid until the next call.
     */
    public float[] download(int[] rows) {
        int n = rows.length * logits.cols();
        if (host.length != n) {
            host = new float[n];
        }
        backend.download(logits, rows, host);
        return host;
    }

    /** Every row, as {@link #download}. */
    public float[] all() {
        int[] rows = new int[logits.rows()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        return download(rows);
    }
}
