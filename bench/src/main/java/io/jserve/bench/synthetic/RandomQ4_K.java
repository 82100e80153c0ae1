package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Q4_K super-blocks (ggml {@code block_q4_K}, 256 values in 144 bytes: fp16 {@code d}, fp16 {@code dmin}, 12
 * bytes packing eight 6-bit scales and eight 6-bit mins, 128 bytes of 4-bit quants; value =
 * {@code d * sc * q - dmin * m}) with random scales, mins and quants. Any bit pattern is valid there; only the
 * two fp16 fields are drawn from tables, {@code d} up to RANGE / (2 * 63 * 15) and {@code dmin} up to
 * RANGE / (2 * 63), so |value| <= RANGE / 2.
 */
final class RandomQ4_K implements RandomBlockFiller {
    private static final short[] D = RandomScales.table(RANGE / (2 * 63 * 15));
    private static final short[] DMIN = RandomScales.table(RANGE / (2 * 63));

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public void fill(ByteBuffer out, long blocks, SplittableRandom random) {
        for (long b = 0; b < blocks; b++) {
            out.putShort(D[random.nextInt() & (RandomScales.SIZE - 1)]);
            out.putShort(DMIN[random.nextInt() & (RandomScales.SIZE - 1)]);
            out.putLong(random.nextLong()); // scales and mins: 12 bytes
            out.putInt(random.nextInt());
            for (int i = 0; i < 16; i++) { // quants: 128 bytes
                out.putLong(random.nextLong());
            }
        }
    }
}
