package io.jserve.kernels;

/**
 * The physical paged KV pool of one backend, shaped by a {@link KvCacheShape}. Which slot belongs to which
 * sequence is decided outside (the kvcache module hands out block ids); the storage only reads and writes
 * slots named by an {@link AttentionMetadata}.
 */
public interface KvCacheStorage extends AutoCloseable {
    KvCacheShape shape();

    /** Frees the pool's memory. */
    @Override
    void close();
}
