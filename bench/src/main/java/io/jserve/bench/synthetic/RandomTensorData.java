package io.jserve.bench.synthetic;

import io.jserve.engine.gguf.GgufTensorData;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.SplittableRandom;

/**
 * Streams one tensor of random weights: fills a reusable buffer with whole blocks and hands it to the file
 * channel, chunk after chunk, so memory use does not depend on the tensor's size.
 */
final class RandomTensorData implements GgufTensorData {
    private final RandomBlockFiller filler;
    private final long numValues;
    private final SplittableRandom random;
    private final ByteBuffer buffer;

    /**
     * @param buffer a little-endian buffer reused across tensors (the writer streams one tensor at a time);
     *               it must hold at least one block
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
        long blocksLeft = numValues / filler.type().blockSize();
        long blocksPerChunk = buffer.capacity() / filler.type().bytesPerBlock();
        while (blocksLeft > 0) {
            long blocks = Math.min(blocksLeft, blocksPerChunk);
            buffer.clear();
            filler.fill(buffer, blocks, random);
            buffer.flip();
            GgufTensorData.writeFully(out, buffer);
            blocksLeft -= blocks;
        }
    }
}
