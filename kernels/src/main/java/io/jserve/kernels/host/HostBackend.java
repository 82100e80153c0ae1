package io.jserve.kernels.host;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.ComputeBackend;
import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import io.jserve.kernels.LogitSummaries;
import io.jserve.kernels.LogitSummary;
import io.jserve.kernels.StepInputs;
import io.jserve.kernels.Tensor;
import io.jserve.kernels.Weight;
import io.jserve.kernels.WeightView;

import java.lang.foreign.MemorySegment;

/**
 * What the two host backends (reference and CPU) share: memory management and the operations that only move
 * data (load, allocate, upload, download, embed, storeKv). The arithmetic operations are each backend's own.
 */
public abstract class HostBackend implements ComputeBackend {

    @Override
    public Weight load(WeightView view) {
        return HostWeight.wrap(view);
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        return HostTensor.allocate(rows, cols);
    }

    @Override
    public KvCacheStorage allocateKvCache(KvCacheShape shape) {
        return new HostKvCache(shape);
    }

    @Override
    public StepInputs prepareStep(int[] tokenIds, AttentionMetadata metadata) {
        return new HostStepInputs(tokenIds, metadata);
    }

    @Override
    public void upload(float[] src, Tensor t) {
        HostTensor h = HostTensor.of(t);
        if (src.length != (long) h.rows() * h.cols()) {
            throw new IllegalArgumentException("upload of %d values into a [%d, %d] tensor"
                    .formatted(src.length, h.rows(), h.cols()));
        }
        MemorySegment.copy(src, 0, h.segment(), HostTensor.FLOAT, 0, src.length);
    }

    @Override
    public void download(Tensor t, int[] rows, float[] dst) {
        HostTensor h = HostTensor.of(t);
        if (dst.length != (long) rows.length * h.cols()) {
            throw new IllegalArgumentException("download of %d rows of %d into %d values"
                    .formatted(rows.length, h.cols(), dst.length));
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= h.rows()) {
                throw new IndexOutOfBoundsException("row %d of a tensor with %d rows".formatted(rows[i], h.rows()));
            }
            h.readRow(rows[i], dst, i * h.cols());
        }
    }

    /** Row by row through one row-sized buffer, instead of the default's copy of every row. */
    @Override
    public void summarize(Tensor logits, LogitSummary out) {
        HostTensor h = HostTensor.of(logits);
        LogitSummaries.checkShape(h, out);
        float[] row = new float[h.cols()];
        for (int r = 0; r < h.rows(); r++) {
            h.readRow(r, row, 0);
            LogitSummaries.summarizeRow(row, 0, out, r);
        }
    }

    /** Row copies inside native memory, without the host round trip of the default. */
    @Override
    public void gatherRows(Tensor src, int[] rows, Tensor dst) {
        HostTensor s = HostTensor.of(src);
        HostTensor d = HostTensor.of(dst);
        if (d.rows() != rows.length || d.cols() != s.cols()) {
            throw new IllegalArgumentException("gather of %d rows of [%d, %d] into [%d, %d]"
                    .formatted(rows.length, s.rows(), s.cols(), d.rows(), d.cols()));
        }
        Shapes.noAlias(s, d, "gatherRows");
        long bytes = (long) s.cols() * Float.BYTES;
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= s.rows()) {
                throw new IndexOutOfBoundsException("row %d of a tensor with %d rows".formatted(rows[i], s.rows()));
            }
            MemorySegment.copy(s.segment(), s.rowOffset(rows[i]), d.segment(), d.rowOffset(i), bytes);
        }
    }

    @Override
    public void embed(Weight table, StepInputs step, Tensor out) {
        HostWeight w = HostWeight.of(table);
        HostTensor o = HostTensor.of(out);
        int[] ids = step.tokenIds();
        if (o.rows() != ids.length || o.cols() != w.cols()) {
            throw new IllegalArgumentException("embed %s [%d, %d] of %d tokens into [%d, %d]".formatted(
                    w.name(), w.rows(), w.cols(), ids.length, o.rows(), o.cols()));
        }
        float[] row = new float[w.width()];
        for (int t = 0; t < ids.length; t++) {
            if (ids[t] < 0 || ids[t] >= w.rows()) {
                throw new IllegalArgumentException("token id %d outside the vocabulary of %d"
                        .formatted(ids[t], w.rows()));
            }
            w.dequantizeRow(ids[t], row);
            o.writeRow(t, row, 0);
        }
    }

    @Override
    public void storeKv(KvCacheStorage kv, int layer, Tensor k, Tensor v, StepInputs step) {
        HostKvCache cache = HostKvCache.of(kv);
        HostTensor hk = HostTensor.of(k);
        HostTensor hv = HostTensor.of(v);
        KvCacheShape shape = cache.shape();
        int n = step.numTokens();
        Shapes.heads(hk, n, shape.numKvHeads(), shape.headDim(), "storeKv keys");
        Shapes.heads(hv, n, shape.numKvHeads(), shape.headDim(), "storeKv values");
        int[] slots = step.metadata().slotMapping();
        long bytes = (long) shape.kvDim() * Float.BYTES;
        for (int t = 0; t < n; t++) {
            long at = cache.slotOffset(layer, slots[t]);
            MemorySegment.copy(hk.segment(), hk.rowOffset(t), cache.keys(), at, bytes);
            MemorySegment.copy(hv.segment(), hv.rowOffset(t), cache.values(), at, bytes);
        }
    }
}
