package io.jserve.cuda;

import io.jserve.kernels.AttentionMetadata;
import io.jserve.kernels.StepInputs;
import jcuda.driver.CUdeviceptr;

/**
 * One step's inputs on the device, all in one int array uploaded with a single copy (valid until the next
 * {@code prepareStep}, which reuses the buffer): token ids, positions, each token's sequence index, query starts,
 * context lengths, the slot mapping and the block tables.
 *
 * <p>The block tables go last and their row stride is rounded up to a power of two (at least 16): a run of
 * decode steps at one batch size then has every part at the same address with the same stride, so its kernel
 * launches repeat exactly and replay as one CUDA graph (see {@link GraphCache}).
 */
final class DeviceStepInputs implements StepInputs {
    private final int[] tokenIds;
    private final AttentionMetadata metadata;
    private final CUdeviceptr base;
    private final int[] offsets;
    private final int tableStride;

    /** The step whose {@link #pack packed} inputs were copied to {@code base}. */
    DeviceStepInputs(int[] tokenIds, AttentionMetadata metadata, CUdeviceptr base) {
        int[][] parts = parts(tokenIds, metadata);
        this.tableStride = paddedStride(metadata);
        this.tokenIds = tokenIds.clone();
        this.metadata = metadata;
        this.base = base;
        this.offsets = new int[parts.length];
        for (int i = 1; i < parts.length; i++) {
            offsets[i] = offsets[i - 1] + parts[i - 1].length;
        }
    }

    /** The flat int array to upload: the parts one after another. */
    static int[] pack(int[] tokenIds, AttentionMetadata metadata) {
        int[][] parts = parts(tokenIds, metadata);
        int total = 0;
        for (int[] p : parts) {
            total += p.length;
        }
        int[] packed = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, packed, at, p.length);
            at += p.length;
        }
        return packed;
    }

    /** The seven arrays {@link #pack} joins, in order (the CPU emulator tests take them one by one). */
    static int[][] parts(int[] tokenIds, AttentionMetadata m) {
        if (tokenIds.length != m.numTokens()) {
            throw new IllegalArgumentException("%d token ids for a step of %d tokens"
                    .formatted(tokenIds.length, m.numTokens()));
        }
        int[] tokenSeq = new int[m.numTokens()];
        for (int s = 0; s < m.numSeqs(); s++) {
            for (int i = m.queryStarts()[s]; i < m.queryStarts()[s + 1]; i++) {
                tokenSeq[i] = s;
            }
        }
        int stride = m.blockTableStride();
        int padded = paddedStride(m);
        int[] tables = new int[m.numSeqs() * padded];
        for (int s = 0; s < m.numSeqs(); s++) {
            System.arraycopy(m.blockTables(), s * stride, tables, s * padded, stride);
        }
        return new int[][] {tokenIds, m.positions(), tokenSeq, m.queryStarts(), m.contextLens(), m.slotMapping(),
                tables};
    }

    static int paddedStride(AttentionMetadata m) {
        return Math.max(16, Integer.highestOneBit(Math.max(1, m.blockTableStride() - 1)) << 1);
    }

    /** Entries per row of the device block tables (the metadata's stride rounded up to a power of two). */
    int blockTableStride() {
        return tableStride;
    }

    /** The host token ids, not copied (callers only read them). */
    int[] hostTokenIds() {
        return tokenIds;
    }

    private CUdeviceptr part(int i) {
        return base.withByteOffset((long) offsets[i] * Integer.BYTES);
    }

    CUdeviceptr tokenIdsPtr() {
        return part(0);
    }

    CUdeviceptr positions() {
        return part(1);
    }

    CUdeviceptr tokenSeq() {
        return part(2);
    }

    CUdeviceptr queryStarts() {
        return part(3);
    }

    CUdeviceptr contextLens() {
        return part(4);
    }

    CUdeviceptr slotMapping() {
        return part(5);
    }

    CUdeviceptr blockTables() {
        return part(6);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }

    @Override
    public AttentionMetadata metadata() {
        return metadata;
    }

    @Override
    public int numTokens() {
        return tokenIds.length;
    }

    static DeviceStepInputs of(StepInputs s) {
        if (s instanceof DeviceStepInputs d) {
            return d;
        }
        throw new IllegalArgumentException("step inputs were not prepared by the cuda backend");
    }
}
