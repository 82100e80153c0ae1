package io.jserve.kvcache;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreeBlockQueueTest {
    private final List<Block> blocks = IntStream.range(0, 5).mapToObj(Block::new).toList();
    private final FreeBlockQueue queue = new FreeBlockQueue(blocks);

    @Test
    void startsInIdOrderAndPopsFromTheFront() {
        assertEquals(List.of(0, 1, 2, 3, 4), queue.blockIds());
        assertEquals(0, queue.popFirst().id());
        assertEquals(1, queue.popFirst().id());
        assertEquals(List.of(2, 3, 4), queue.blockIds());
        assertEquals(3, queue.size());
    }

    @Test
    void removesFromTheMiddleAndAppendsAtTheBack() {
        queue.remove(blocks.get(2));
        assertFalse(FreeBlockQueue.contains(blocks.get(2)));
        assertEquals(List.of(0, 1, 3, 4), queue.blockIds());
        queue.remove(blocks.get(4));
        queue.remove(blocks.get(0));
        assertEquals(List.of(1, 3), queue.blockIds());
        queue.append(blocks.get(4));
        queue.append(blocks.get(2));
        assertTrue(FreeBlockQueue.contains(blocks.get(2)));
        assertEquals(List.of(1, 3, 4, 2), queue.blockIds());
        assertEquals(4, queue.size());
    }

    @Test
    void rejectsDoubleAppendDoubleRemoveAndEmptyPop() {
        assertThrows(IllegalStateException.class, () -> queue.append(blocks.get(1)));
        queue.remove(blocks.get(1));
        assertThrows(IllegalStateException.class, () -> queue.remove(blocks.get(1)));
        for (int i = 0; i < 4; i++) {
            queue.popFirst();
        }
        assertEquals(List.of(), queue.blockIds());
        assertThrows(NoSuchElementException.class, queue::popFirst);
    }
}
