package io.jserve.cuda;

import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;
import jcuda.driver.CUdeviceptr;

/**
 * The paged KV pool as one device allocation of f16 (the default, as llama.cpp's cache) or f32 values: for each
 * layer, the keys of every slot followed by the values of every slot, each head-major
 * ({@code numKvHeads x numSlots x headDim}) so that one head's keys for a block of slots are contiguous.
 */
final class DeviceKvCache implements KvCacheStorage {
    /** How cached keys and values are stored; f16 halves the bytes attention reads per step. */
    enum Precision {
        F16(2), F32(4);

        final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }

        /** From {@code -Djserve.cuda.kvCache=f16|f32} (f16 when unset). */
        static Precision fromSystemProperty() {
            String v = System.getProperty("jserve.cuda.kvCache", "f16");
            return switch (v) {
                case "f16" -> F16;
                case "f32" -> F32;
                default -> throw new IllegalArgumentException("jserve.cuda.kvCache must be f16 or f32, got " + v);
            };
        }
    }

    private final KvCacheShape shape;
    private final Precision precision;
    private final CudaContext cuda;
    private final CUdeviceptr pool;
    private boolean closed;

    DeviceKvCache(KvCacheShape shape, Precision precision, CudaContext cuda) {
        this.shape = shape;
        this.precision = precision;
        this.cuda = cuda;
        this.pool = cuda.allocate(2L * shape.numLayers() * poolBytes());
    }

    @Override
    public KvCacheShape shape() {
        return shape;
    }

    Precision precision() {
        return precision;
    }

    private long poolBytes() {
        return (long) shape.numSlots() * shape.kvDim() * precision.bytes;
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
