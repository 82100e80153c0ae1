package io.jserve.kvcache;

import java.util.List;
import java.util.Objects;

/**
 * The result of a prefix-cache lookup, not yet committed: the cached blocks that hold the sequence's first
 * {@code numHitTokens} tokens. Pass it to {@link KvCacheManager#allocateSlots(BlockTable, PrefixHit, int)} in
 * the same step; only then are the blocks taken and the lookup counted.
 *
 * @param blocks         the hit blocks, in position order
 * @param numHitTokens   tokens covered by the blocks ({@code blocks.size() * blockSize})
 * @param queriedTokens  tokens the lookup was asked about (the sequence's length)
 */
public record PrefixHit(List<Block> blocks, int numHitTokens, int queriedTokens) {
    public PrefixHit {
        blocks = List.copyOf(Objects.requireNonNull(blocks, "blocks"));
        if (numHitTokens < 0 || numHitTokens >= Math.max(queriedTokens, 1)) {
            throw new IllegalArgumentException(
                    "a hit of %d tokens for %d queried tokens: it must leave at least one token to compute"
                            .formatted(numHitTokens, queriedTokens));
        }
    }

    /** No lookup made (prefix caching off): nothing hit, nothing counted. */
    public static PrefixHit none() {
        return new PrefixHit(List.of(), 0, 0);
    }
}
