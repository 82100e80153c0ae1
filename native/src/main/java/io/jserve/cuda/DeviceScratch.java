package io.jserve.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * A device work buffer that grows to the largest size asked for and is then reused every step (the f16 copy of a
 * matrix product's activations). Growing waits for queued work that may still read the old buffer.
 */
final class DeviceScratch {
    private final CudaContext cuda;
    private CUdeviceptr ptr;
    private long capacity;

    DeviceScratch(CudaContext cuda) {
        this.cuda = cuda;
    }

    CUdeviceptr get(long bytes) {
        if (bytes > capacity) {
            if (ptr != null) {
                cuda.free(ptr);  // waits for the stream
            }
            capacity = Math.max(bytes, capacity + capacity / 2);
            ptr = cuda.allocate(capacity);
        }
        return ptr;
    }
}
