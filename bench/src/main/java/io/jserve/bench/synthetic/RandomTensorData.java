package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.GgufTensorData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Streams one tensor of random weights: fills a reusable buffer with whole blocks and hands it to the file
 * channel, chunk after chunk, so memory use does not depend on the tensor's size. Each chunk is generated
 * as {@link #SLICES} slices in parallel, each with its own random stream split off in a fixed order, so the
 * bytes are the same whatever the number of cores.
 */
final class RandomTensorData implements GgufTensorData {
    /** Slices per chunk: fixed, so output does not depend on the core count. */
    static final int SLICES = 16;

    private final RandomBlockFiller filler;
    private final long numValues;
    private final SplittableRandom random;
    private final ByteBuffer buffer;

    /**
     * @param buffer a buffer reused across tensors (the writer streams one tensor at a time), of at most
     *               2 GB; it must hold at least one block
     */
    RandomTensorData(RandomBlockFiller filler, long numValues, SplittableRandom random, ByteBuffer buffer) {
        if (numValues % filler.type().blockSize() != 0) {
            throw new IllegalArgumentException("%d values is not a whole number of %s blocks"
                    .formatted(numValues, filler.type()));
        }
        if (buffer.capacity() < filler.type().bytesPerBlock()) {
            throw new IllegalArgumentException("buffer of %d bytes cannot hold a %s block"
                    .formatted(buffer.capacity(), filler.type()));
        }
        this.filler = filler;
        this.numValues = numValues;
        this.random = random;
        this.buffer = buffer;
    }

    @Override
    public void writeTo(WritableByteChannel out) throws IOException {
        int bytesPerBlock = filler.type().bytesPerBlock();
        long blocksLeft = numValues / filler.type().blockSize();
        long blocksPerChunk = buffer.capacity() / bytesPerBlock;
        SplittableRandom[] randoms = new SplittableRandom[SLICES];
        while (blocksLeft > 0) {
            long blocks = Math.min(blocksLeft, blocksPerChunk);
            for (int i = 0; i < SLICES; i++) {
                randoms[i] = random.split();
            }
            buffer.clear(); // slices are taken relative to position and limit
            IntStream.range(0, SLICES).parallel().forEach(i -> {
                long first = blocks * i / SLICES;
                long count = blocks * (i + 1) / SLICES - first;
                ByteBuffer slice = buffer.slice((int) (first * bytesPerBlock), (int) (count * bytesPerBlock))
                        .order(ByteOrder.LITTLE_ENDIAN);
                filler.fill(slice, count, randoms[i]);
            });
            buffer.limit((int) (blocks * bytesPerBlock));
            GgufTensorData.writeFully(out, buffer);
            blocksLeft -= blocks;
        }
    }
}
