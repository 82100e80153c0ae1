package io.jserve.cuda;

import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * A page-locked host buffer for the small per-step copies (step inputs, activations in, logits out), grown on
 * demand. Copies go through the backend's stream and the host waits for each before touching the buffer again,
 * so one buffer serves every copy.
 */
final class PinnedStaging implements AutoCloseable {
    private final CudaContext cuda;
    private Pointer host;
    private ByteBuffer buffer;
    private long capacity;

    PinnedStaging(CudaContext cuda) {
        this.cuda = cuda;
    }

    private ByteBuffer ensure(long bytes) {
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a single host copy of %d bytes is over 2 GiB".formatted(bytes));
        }
        if (bytes > capacity) {
            close();
            long size = Math.max(bytes, Math.max(1 << 20, capacity * 2));
            size = Math.min(size, Integer.MAX_VALUE);
            host = new Pointer();
            cuMemAllocHost(host, size);
            capacity = size;
            buffer = host.getByteBuffer(0, size).order(ByteOrder.nativeOrder());
        }
        buffer.clear();
        return buffer;
    }

    /** Copies ints to device memory and waits for the copy. */
    void upload(int[] src, CUdeviceptr dst) {
        long bytes = (long) src.length * Integer.BYTES;
        ensure(bytes).asIntBuffer().put(src);
        cuMemcpyHtoDAsync(dst, host, bytes, cuda.stream());
        cuda.synchronize();
    }

    /** Copies floats to device memory and waits for the copy. */
    void upload(float[] src, CUdeviceptr dst) {
        long bytes = (long) src.length * Float.BYTES;
        ensure(bytes).asFloatBuffer().put(src);
        cuMemcpyHtoDAsync(dst, host, bytes, cuda.stream());
        cuda.synchronize();
    }

    /**
     * Copies runs of rows to the host: run {@code i} is {@code runRows[i]} rows starting at device address
     * {@code runStarts[i]}; they land one after another in {@code dst}.
     */
    void download(CUdeviceptr[] runStarts, int[] runRows, int cols, float[] dst) {
        ensure((long) dst.length * Float.BYTES);
        long at = 0;
        for (int i = 0; i < runStarts.length; i++) {
            long bytes = (long) runRows[i] * cols * Float.BYTES;
            cuMemcpyDtoHAsync(host.withByteOffset(at), runStarts[i], bytes, cuda.stream());
            at += bytes;
        }
        cuda.synchronize();
        buffer.asFloatBuffer().get(dst);
    }

    /** Copies {@code dst.length} ints from device memory and waits for the copy. */
    void download(CUdeviceptr src, int[] dst) {
        long bytes = (long) dst.length * Integer.BYTES;
        ensure(bytes);
        cuMemcpyDtoHAsync(host, src, bytes, cuda.stream());
        cuda.synchronize();
        buffer.asIntBuffer().get(dst);
    }

    @Override
    public void close() {
        if (host != null) {
            cuda.synchronize();
            cuMemFreeHost(host);
            host = null;
            capacity = 0;
        }
    }
}
