package io.jserve.kernels.host;

import io.jserve.kernels.KvCacheShape;
import io.jserve.kernels.KvCacheStorage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The paged KV pool of the host backends: float32 keys and values, per layer laid out
 * {@code [slot][kvHead][headDim]} (so one token's keys of all heads are contiguous). Keys and values are two
 * segments; layer {@code l}, slot {@code s} starts at float {@code (l * numSlots + s) * kvDim} of each.
 */
public final class HostKvCache implements KvCacheStorage {
    private final KvCacheShape shape;
    private final Arena arena;
    private final MemorySegment keys;
    private final MemorySegment values;

    /** A zero-filled pool; {@link #close()} frees it. */
    public HostKvCache(KvCacheShape shape) {
        this.shape = shape;
        this.arena = Arena.ofShared();
        long bytes = shape.bytesAsF32() / 2;
        this.keys = arena.allocate(bytes, 64);
        this.values = arena.allocate(bytes, 64);
    }

    /** The host KV pool behind {@code kv}, or a clear failure when it was made by another backend. */
    public static HostKvCache of(KvCacheStorage kv) {
        if (kv instanceof HostKvCache h) {
            return h;
        }
        throw new IllegalArgumentException("KV cache " + kv + " was not made by a host backend");
    }

    @Override
    public KvCacheShape shape() {
        return shape;
    }

    /** All keys of all layers. */
    public MemorySegment keys() {
        return keys;
    }

    /** All values of all layers. */
    public MemorySegment values() {
        return values;
    }

    /** Byte offset, in {@link #keys()} or {@link #values()}, of KV head 0 of {@code slot} in {@code layer}. */
    public long slotOffset(int layer, int slot) {
        if (layer < 0 || layer >= shape.numLayers()) {
            throw new IndexOutOfBoundsException("layer " + layer + " of " + shape.numLayers());
        }
        if (slot < 0 || slot >= shape.numSlots()) {
            throw new IndexOutOfBoundsException("slot " + slot + " of " + shape.numSlots());
        }
        return ((long) layer * shape.numSlots() + slot) * shape.kvDim() * Float.BYTES;
    }

    @Override
    public void close() {
        arena.close();
    }

    @Override
    public String toString() {
        return "HostKvCache" + shape;
    }
}
