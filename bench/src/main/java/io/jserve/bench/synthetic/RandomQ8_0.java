package io.jserve.bench.synthetic;

import io.jserve.kernels.GgmlType;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Q8_0 blocks (ggml {@code block_q8_0}: an fp16 scale {@code d}, then 32 int8 quants; value = q * d) with
 * random quants in [-127, 127] and a scale drawn from [RANGE/2, RANGE] / 127, so |value| <= RANGE.
 */
final class RandomQ8_0 implements RandomBlockFiller {
    private static final short[] SCALES = RandomScales.table(RANGE / 127);

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void fill(ByteBuffer out, long blocks, SplittableRandom random) {
        for (long b = 0; b < blocks; b++) {
            out.putShort(SCALES[random.nextInt() & (RandomScales.SIZE - 1)]);
            for (int i = 0; i < 4; i++) {
                out.putLong(noMinus128(random.nextLong()));
            }
        }
    }

    /** Turns every byte -128 (0x80) into -127 (0x81): ggml's quantizer never produces -128. */
    static long noMinus128(long r) {
        long x = r ^ 0x8080_8080_8080_8080L; // bytes that were 0x80 are now 0
        // exact per-byte zero test: high bit set where the byte of x is zero
        long zero = ~(((x & 0x7F7F_7F7F_7F7F_7F7FL) + 0x7F7F_7F7F_7F7F_7F7FL) | x | 0x7F7F_7F7F_7F7F_7F7FL);
        return r | (zero >>> 7);
    }
}
