package io.jserve.engine.runner;

import io.jserve.kernels.AttentionMetadata;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ForwardBatchBuilderTest {

    @Test
    void laysOutADecodeAndAPrefillChunkWithExactSlots() {
        ForwardBatchBuilder b = new ForwardBatchBuilder(4);
        // sequence A: decoding its 6th token (position 5), blocks 7 then 2
        b.add(new int[] {42}, 5, new int[] {7, 2}, true);
        // sequence B: prefill chunk of positions 2..4 (positions 0..1 cached), blocks 3 then 9; not finished
        b.add(new int[] {10, 11, 12}, 2, new int[] {3, 9}, false);
        ForwardBatch batch = b.build();
        AttentionMetadata m = batch.metadata();

        assertArrayEquals(new int[] {42, 10, 11, 12}, batch.tokenIds());
        assertArrayEquals(new int[] {5, 2, 3, 4}, m.positions());
        assertArrayEquals(new int[] {0, 1, 4}, m.queryStarts());
        assertArrayEquals(new int[] {6, 5}, m.contextLens());
        assertEquals(2, m.blockTableStride());
        assertArrayEquals(new int[] {7, 2, 3, 9}, m.blockTables());
        // slot = block * 4 + position % 4
        assertArrayEquals(new int[] {2 * 4 + 1, 3 * 4 + 2, 3 * 4 + 3, 9 * 4}, m.slotMapping());
        assertArrayEquals(new int[] {0}, batch.sampleRows());
    }

    @Test
    void resetStartsAFreshStep() {
        ForwardBatchBuilder b = new ForwardBatchBuilder(16);
        b.add(new int[] {1, 2, 3}, 0, new int[] {0}, true);
        b.build();
        b.reset();
        b.add(new int[] {4}, 3, new int[] {0}, true);
        ForwardBatch batch = b.build();
        assertArrayEquals(new int[] {4}, batch.tokenIds());
        assertArrayEquals(new int[] {3}, batch.metadata().slotMapping());
        assertArrayEquals(new int[] {0}, batch.sampleRows());
    }

    @Test
    void refusesAChunkItsBlocksCannotHold() {
        ForwardBatchBuilder b = new ForwardBatchBuilder(4);
        assertThrows(IllegalArgumentException.class, () -> b.add(new int[] {1, 2}, 3, new int[] {0}, true));
        assertThrows(IllegalStateException.class, b::build);
    }
}
