package io.jserve.cuda;

import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import jcuda.driver.CUdeviceptr;

/**
 * The paged KV pool as one float32 device allocation: for each layer, the keys of every slot
 * ({@code numSlots x kvDim}) followed by the values of every slot.
 */
final class DeviceKvCache implements KvCacheStorage {
    private final KvCacheShape shape;
    private final CudaContext cuda;
    private final CUdeviceptr pool;
    private boolean closed;

    DeviceKvCache(KvCacheShape shape, CudaContext cuda) {
        this.shape = shape;
        this.cuda = cuda;
        this.pool = cuda.allocate(shape.bytesAsF32());
    }

    @Override
    public KvCacheShape shape() {
        return shape;
    }

    private long poolBytes() {
        return (long) shape.numSlots() * shape.kvDim() * Float.BYTES;
    }

    /** Start of layer {@code layer}'s key pool. */
    CUdeviceptr keys(int layer) {
        checkLayer(layer);
        return pool.withByteOffset(2L * layer * poolBytes());
    }

    /** Start of layer {@code layer}'s value pool. */
    CUdeviceptr values(int layer) {
        checkLayer(layer);
        return pool.withByteOffset((2L * layer + 1) * poolBytes());
    }

    private void checkLayer(int layer) {
        if (closed) {
            throw new IllegalStateException("KV cache is closed");
        }
        if (layer < 0 || layer >= shape.numLayers()) {
            throw new IllegalArgumentException("layer %d of %d".formatted(layer, shape.numLayers()));
        }
    }

    static DeviceKvCache of(KvCacheStorage kv) {
        if (kv instanceof DeviceKvCache d) {
            return d;
        }
        throw new IllegalArgumentException("not a cuda KV cache: " + kv);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cuda.makeCurrent();
            cuda.free(pool);
        }
    }
}
