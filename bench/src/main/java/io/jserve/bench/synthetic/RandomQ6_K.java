package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Q6_K super-blocks (ggml {@code block_q6_K}, 256 values in 210 bytes: 128 bytes of low 4 bits, 64 bytes of high
 * 2 bits, 16 int8 scales, then fp16 {@code d}; value = {@code d * sc * (q - 32)}) with random quants and scales.
 * Any bit pattern is valid there; {@code d} comes from a table up to RANGE / (128 * 32), so |value| <= RANGE.
 */
final class RandomQ6_K implements RandomBlockFiller {
    private static final short[] D = RandomScales.table(RANGE / (128 * 32));

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void fill(ByteBuffer out, long blocks, SplittableRandom random) {
        for (long b = 0; b < blocks; b++) {
            for (int i = 0; i < 26; i++) { // ql, qh and scales: 208 bytes
                out.putLong(random.nextLong());
            }
            out.putShort(D[random.nextInt() & (RandomScales.SIZE - 1)]);
        }
    }
}
