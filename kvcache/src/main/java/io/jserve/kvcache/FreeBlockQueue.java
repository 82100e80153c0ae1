package io.jserve.kvcache;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The free blocks in eviction order, least recently freed first, as a doubly linked list threaded through the
 * blocks themselves ({@link Block#prev}, {@link Block#next}). Every operation is O(1); in particular a
 * cached-but-free block that gets a prefix-cache hit is taken out of the middle without a scan.
 *
 * <p>Allocation takes from the front; freeing appends at the back. The list starts in block-id order.
 */
final class FreeBlockQueue {
    /** Sentinels: {@code head.next} is the first free block, {@code tail.prev} the last. Never handed out. */
    private final Block head = new Block(-1);
    private final Block tail = new Block(-1);
    private int size;

    FreeBlockQueue(List<Block> initial) {
        head.next = tail;
        tail.prev = head;
        for (Block block : initial) {
            append(block);
        }
    }

    int size() {
        return size;
    }

    /** Removes and returns the least recently freed block. */
    Block popFirst() {
        if (size == 0) {
            throw new NoSuchElementException("no free block");
        }
        Block first = head.next;
        remove(first);
        return first;
    }

    /** Takes a block out of the queue wherever it is. */
    void remove(Block block) {
        if (block.prev == null) {
            throw new IllegalStateException(block + " is not in the free queue");
        }
        block.prev.next = block.next;
        block.next.prev = block.prev;
        block.prev = null;
        block.next = null;
        size--;
    }

    /** Adds a block at the back: it will be reused last. */
    void append(Block block) {
        if (block.prev != null) {
            throw new IllegalStateException(block + " is already in the free queue");
        }
        Block last = tail.prev;
        last.next = block;
        block.prev = last;
        block.next = tail;
        tail.prev = block;
        size++;
    }

    static boolean contains(Block block) {
        return block.prev != null;
    }

    /** The free blocks, front (next to be reused) first. O(n): for tests and invariant checks. */
    List<Block> blocks() {
        List<Block> out = new ArrayList<>(size);
        for (Block b = head.next; b != tail; b = b.next) {
            if (b.next.prev != b) {
                throw new IllegalStateException("free queue links broken at " + b);
            }
            out.add(b);
        }
        return out;
    }

    /** Ids of the free blocks, front first. */
    List<Integer> blockIds() {
        return blocks().stream().map(Block::id).toList();
    }
}
