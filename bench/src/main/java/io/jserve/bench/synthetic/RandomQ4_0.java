package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Q4_0 blocks (ggml {@code block_q4_0}: an fp16 scale {@code d}, then 16 bytes holding 32 4-bit quants,
 * value = (q - 8) * d) with random quants and a scale drawn from [RANGE/2, RANGE] / 8, so |value| <= RANGE.
 * Any nibble pattern is a valid block, so the 16 quant bytes are two random longs.
 */
final class RandomQ4_0 implements RandomBlockFiller {
    private static final short[] SCALES = RandomScales.table(RANGE / 8);

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void fill(ByteBuffer out, long blocks, SplittableRandom random) {
        for (long b = 0; b < blocks; b++) {
            out.putShort(SCALES[random.nextInt() & (RandomScales.SIZE - 1)]);
            out.putLong(random.nextLong());
            out.putLong(random.nextLong());
        }
    }
}
