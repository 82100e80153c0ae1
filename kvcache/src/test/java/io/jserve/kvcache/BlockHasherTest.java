package io.jserve.kvcache;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class BlockHasherTest {
    private final int[] tokens = {1, 2, 3, 4, 5, 6, 7, 8};

    @Test
    void sameSeedSameInputSameHash() {
        BlockHasher a = new BlockHasher(7);
        BlockHasher b = new BlockHasher(7);
        assertEquals(a.root(), b.root());
        assertEquals(a.hash(a.root(), tokens, 0, 4), b.hash(b.root(), tokens, 0, 4));
        // The same four tokens copied elsewhere hash the same: only values count, not the array offset.
        int[] shifted = {9, 9, 1, 2, 3, 4};
        assertEquals(a.hash(a.root(), tokens, 0, 4), a.hash(a.root(), shifted, 2, 4));
    }

    @Test
    void hashCoversParentTokensOrderAndSeed() {
        BlockHasher h = new BlockHasher(7);
        long first = h.hash(h.root(), tokens, 0, 4);
        assertNotEquals(first, h.hash(first, tokens, 0, 4), "the same block after another prefix");
        assertNotEquals(first, h.hash(h.root(), new int[] {2, 1, 3, 4}, 0, 4), "swapped tokens");
        assertNotEquals(first, h.hash(h.root(), tokens, 0, 3), "a shorter block");
        assertNotEquals(first, h.hash(h.root(), new int[] {1, 2, 3, 4 + (1 << 20)}, 0, 4), "high bits");
        BlockHasher other = new BlockHasher(8);
        assertNotEquals(h.root(), other.root());
        assertNotEquals(first, other.hash(other.root(), tokens, 0, 4), "another process seed");
    }

    @Test
    void processHasherIsStableWithinTheProcess() {
        assertEquals(BlockHasher.forProcess().root(), BlockHasher.forProcess().root());
    }
}
