package io.jserve.kvcache;

import java.security.SecureRandom;

/**
 * Chained hashes of full blocks: {@code h[i] = H(h[i-1], tokens of block i)}, with {@code h[-1]} a root seed.
 * Because each hash covers the whole prefix, equal hashes mean equal prefixes (up to collisions, which the
 * pool rules out by comparing the stored tokens and parent hash).
 *
 * <p>The root is random per process ({@link #forProcess()}), so that hashes cannot be predicted or probed
 * across processes or tenants; a fixed seed is for tests. The mix is a 64-bit multiply-xorshift per token with
 * the SplitMix64 finalizer: fast, and collisions only cost a miss.
 */
public final class BlockHasher {
    private static final long PROCESS_SEED = new SecureRandom().nextLong();
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long root;

    /** A hasher whose root is derived from {@code seed}. */
    public BlockHasher(long seed) {
        this.root = finish(seed ^ GOLDEN);
    }

    /** The hasher with this process's random root. */
    public static BlockHasher forProcess() {
        return new BlockHasher(PROCESS_SEED);
    }

    /** {@code h[-1]}: the parent hash of a sequence's first block. */
    public long root() {
        return root;
    }

    /** {@code H(parent, tokens[from .. from+count-1])}. */
    public long hash(long parent, int[] tokens, int from, int count) {
        long h = parent ^ (count * GOLDEN);
        for (int i = from; i < from + count; i++) {
            h = (h ^ (tokens[i] & 0xFFFFFFFFL)) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return finish(h);
    }

    private static long finish(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
